using System.Globalization;
using System.Net;
using System.Text;

namespace Dispatch.Simulator.Reports;

/// <summary>One line of a time chart.</summary>
public sealed record ChartSeries(string Name, string Color, double[] Values, bool Fill = false, bool Dashed = false);

/// <summary>A labelled vertical marker on a chart (a target, a limit), in data units of the x axis.</summary>
public sealed record RefLine(double X, string Label, string Color);

/// <summary>One bar: covers [X0, X1) on the x axis, coloured, with a hover text.</summary>
public readonly record struct Bar(double X0, double X1, double Value, string Color, string Tooltip, string? Label = null);

/// <summary>
/// Small, dependency-free chart writer: vector SVG strings to inline in an HTML page (no scripts, no
/// fonts, no network). Axes with "nice" ticks, grid lines, legends, reference lines and hover titles.
/// </summary>
public static class SvgCharts
{
    private const double W = 960, H = 300, ML = 64, MR = 24, MT = 34, MB = 50;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    internal static string N(double v) => Math.Abs(v) < 0.005 ? "0" : Math.Round(v, 2).ToString("0.##", Inv);

    internal static string Esc(string s) => WebUtility.HtmlEncode(s);

    /// <summary>Minutes from the start of the day as h:mm.</summary>
    public static string Clock(double minutes)
    {
        int m = (int)Math.Round(minutes);
        return string.Create(Inv, $"{m / 60}:{Math.Abs(m % 60):00}");
    }

    /// <summary>A step of 1, 2 or 5 times a power of ten giving about <paramref name="target"/> ticks over <paramref name="range"/>.</summary>
    public static double NiceStep(double range, int target)
    {
        if (!(range > 0) || target < 1) return 1;
        double raw = range / target, mag = Math.Pow(10, Math.Floor(Math.Log10(raw))), norm = raw / mag;
        double step = norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10;
        return step * mag;
    }

    /// <summary>Scales and frame of one chart: draws the grid, ticks, axis titles and legend.</summary>
    private sealed class Frame
    {
        public readonly StringBuilder Sb = new();
        public readonly double X0, X1, Y1;

        public Frame(string id, string label, double x0, double x1, double yMax, double xTickStep, Func<double, string> xFmt, Func<double, string> yFmt, string xTitle, string yTitle, IReadOnlyList<(string Name, string Color)> legend, bool exactTop = false)
        {
            X0 = x0;
            X1 = x1 > x0 ? x1 : x0 + 1;
            double yStep = NiceStep(yMax > 0 ? yMax : 1, 5);
            Y1 = exactTop && yMax > 0 ? yMax : Math.Max(yStep, Math.Ceiling((yMax > 0 ? yMax : 1) * 1.05 / yStep) * yStep);
            Sb.Append(Inv, $"<svg id=\"{Esc(id)}\" class=\"chart\" role=\"img\" aria-label=\"{Esc(label)}\" viewBox=\"0 0 {W} {H}\" width=\"100%\" preserveAspectRatio=\"xMidYMid meet\">");
            Sb.Append(Inv, $"<title>{Esc(label)}</title>");
            Sb.Append(Inv, $"<rect x=\"{ML}\" y=\"{MT}\" width=\"{W - ML - MR}\" height=\"{H - MT - MB}\" fill=\"#fbfbfd\" stroke=\"#d0d4dc\"/>");
            for (double y = 0; y <= Y1 + yStep / 1000; y += yStep)
            {
                double py = PY(y);
                Sb.Append(Inv, $"<line x1=\"{ML}\" x2=\"{W - MR}\" y1=\"{N(py)}\" y2=\"{N(py)}\" stroke=\"#e3e6ec\"/>");
                Sb.Append(Inv, $"<text x=\"{ML - 6}\" y=\"{N(py + 4)}\" text-anchor=\"end\" class=\"tick\">{Esc(yFmt(y))}</text>");
            }
            double first = Math.Ceiling(X0 / xTickStep - 1e-9) * xTickStep;
            for (double x = first; x <= X1 + 1e-9; x += xTickStep)
            {
                double px = PX(x);
                Sb.Append(Inv, $"<line x1=\"{N(px)}\" x2=\"{N(px)}\" y1=\"{H - MB}\" y2=\"{H - MB + 5}\" stroke=\"#6b7280\"/>");
                Sb.Append(Inv, $"<text x=\"{N(px)}\" y=\"{H - MB + 18}\" text-anchor=\"middle\" class=\"tick\">{Esc(xFmt(x))}</text>");
            }
            Sb.Append(Inv, $"<text x=\"{N(ML + (W - ML - MR) / 2)}\" y=\"{H - 8}\" text-anchor=\"middle\" class=\"axis\">{Esc(xTitle)}</text>");
            Sb.Append(Inv, $"<text transform=\"translate(16 {N(MT + (H - MT - MB) / 2)}) rotate(-90)\" text-anchor=\"middle\" class=\"axis\">{Esc(yTitle)}</text>");
            double lx = ML;
            foreach (var (name, color) in legend)
            {
                Sb.Append(Inv, $"<rect x=\"{N(lx)}\" y=\"12\" width=\"14\" height=\"10\" fill=\"{color}\"/>");
                Sb.Append(Inv, $"<text x=\"{N(lx + 19)}\" y=\"21\" class=\"legend\">{Esc(name)}</text>");
                lx += 34 + 7.2 * name.Length;
            }
        }

        public double PX(double x) => ML + (x - X0) / (X1 - X0) * (W - ML - MR);

        public double PY(double y) => H - MB - y / Y1 * (H - MT - MB);

        public void RefLines(IReadOnlyList<RefLine> refs)
        {
            foreach (var r in refs)
            {
                if (r.X < X0 || r.X > X1) continue;
                double px = PX(r.X);
                Sb.Append(Inv, $"<line class=\"ref\" x1=\"{N(px)}\" x2=\"{N(px)}\" y1=\"{MT}\" y2=\"{H - MB}\" stroke=\"{r.Color}\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>");
                Sb.Append(Inv, $"<text x=\"{N(px + 4)}\" y=\"{MT + 14}\" class=\"reflabel\" fill=\"{r.Color}\">{Esc(r.Label)}</text>");
            }
        }

        public string Close()
        {
            Sb.Append("</svg>");
            return Sb.ToString();
        }
    }

    /// <summary>Lines over the day: value i of every series is drawn at the middle of bucket i; x ticks are clock hours.</summary>
    public static string TimeLines(string id, string label, double start, double step, IReadOnlyList<ChartSeries> series, string yTitle, IReadOnlyList<RefLine>? refs = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        int n = series.Count == 0 ? 0 : series.Max(s => s.Values.Length);
        double end = start + Math.Max(1, n) * step;
        double yMax = series.Count == 0 ? 1 : series.Max(s => s.Values.Length == 0 ? 0 : s.Values.Max());
        double span = end - start;
        double xTick = span <= 6 * 60 ? 30 : span <= 16 * 60 ? 60 : span <= 32 * 60 ? 120 : 240;
        var f = new Frame(id, label, start, end, yMax, xTick, Clock, v => v.ToString("0.##", Inv), "time of day (h:mm from the start of the trace)", yTitle,
            series.Select(s => (s.Name, s.Color)).ToList());
        f.RefLines(refs ?? []);
        foreach (var s in series)
        {
            if (s.Values.Length == 0) continue;
            var pts = new StringBuilder();
            for (int i = 0; i < s.Values.Length; i++)
                pts.Append(Inv, $"{N(f.PX(start + (i + 0.5) * step))},{N(f.PY(s.Values[i]))} ");
            if (s.Fill)
            {
                string baseLine = N(f.PY(0));
                f.Sb.Append(Inv, $"<polygon points=\"{N(f.PX(start + 0.5 * step))},{baseLine} {pts}{N(f.PX(start + (s.Values.Length - 0.5) * step))},{baseLine}\" fill=\"{s.Color}\" fill-opacity=\"0.15\" stroke=\"none\"/>");
            }
            f.Sb.Append(Inv, $"<polyline class=\"series\" data-series=\"{Esc(s.Name)}\" points=\"{pts.ToString().TrimEnd()}\" fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"2\"{(s.Dashed ? " stroke-dasharray=\"5 3\"" : "")}/>");
            // Hover targets: one invisible dot per bucket with the value.
            for (int i = 0; i < s.Values.Length; i++)
            {
                if (s.Values[i] == 0) continue;
                double t = start + i * step;
                f.Sb.Append(Inv, $"<circle cx=\"{N(f.PX(t + 0.5 * step))}\" cy=\"{N(f.PY(s.Values[i]))}\" r=\"3\" fill=\"{s.Color}\" fill-opacity=\"0.01\"><title>{Esc(s.Name)} {Clock(t)}-{Clock(t + step)}: {N(s.Values[i])}</title></circle>");
            }
        }
        return f.Close();
    }

    /// <summary>Bars over a numeric x axis (histograms and per-hour bars), with optional reference lines.</summary>
    public static string Bars(string id, string label, IReadOnlyList<Bar> bars, double xMin, double xMax, double xTickStep, Func<double, string> xFmt, string xTitle,
        string yTitle, IReadOnlyList<(string Name, string Color)> legend, IReadOnlyList<RefLine>? refs = null, double? yMax = null, Func<double, string>? yFmt = null)
    {
        ArgumentNullException.ThrowIfNull(bars);
        double top = yMax ?? (bars.Count == 0 ? 1 : Math.Max(1, bars.Max(b => b.Value)));
        var f = new Frame(id, label, xMin, xMax, top, xTickStep, xFmt, yFmt ?? (v => v.ToString("0.##", Inv)), xTitle, yTitle, legend, exactTop: yMax is not null);
        foreach (var b in bars)
        {
            double x0 = f.PX(b.X0), x1 = f.PX(b.X1), y = f.PY(b.Value), y0 = f.PY(0);
            double w = Math.Max(1, x1 - x0 - 1);
            f.Sb.Append(Inv, $"<rect class=\"bar\" x=\"{N(x0 + 0.5)}\" y=\"{N(Math.Min(y, y0))}\" width=\"{N(w)}\" height=\"{N(Math.Abs(y0 - y))}\" fill=\"{b.Color}\"><title>{Esc(b.Tooltip)}</title></rect>");
            if (b.Label is not null)
                f.Sb.Append(Inv, $"<text x=\"{N(x0 + 0.5 + w / 2)}\" y=\"{N(Math.Min(y, y0) - 4)}\" text-anchor=\"middle\" class=\"barlabel\" fill=\"{b.Color}\">{Esc(b.Label)}</text>");
        }
        f.RefLines(refs ?? []);
        return f.Close();
    }
}
