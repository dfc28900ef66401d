#!/usr/bin/env bash
# Package check: packs Dispatch.Core into a temporary local feed, builds a copy of
# samples/EmbeddedDispatch that references the *package* (PackageReference Dispatch.Core 0.1.0)
# instead of the project, runs it, and requires exit code 0. Also checks the package carries the
# README, the MIT license expression, XML docs, a symbols package and SourceLink/repository metadata.
#
# Robust on a clean clone: everything happens in a fresh temp folder outside the repo (so the
# repo's central package management does not apply), with its own NUGET_PACKAGES folder, so an
# older Dispatch.Core 0.1.0 in the user's NuGet cache can never be picked up; package source
# mapping takes Dispatch.Core only from the local feed. Other packages come from the user's
# existing NuGet cache (used as an offline folder feed) or nuget.org.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$(pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

VERSION="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)"
VERSION="${VERSION%%$'\n'*}"
[ -n "$VERSION" ] || { echo "error: no <Version> in Directory.Build.props" >&2; exit 1; }
USER_CACHE="${NUGET_PACKAGES:-$HOME/.nuget/packages}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/dispatch-package-check.XXXXXX")"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
FEED="$WORK/feed"
APP="$WORK/app/EmbeddedDispatch"
mkdir -p "$FEED" "$APP" "$WORK/nuget-packages"

echo "== pack Dispatch.Core $VERSION into $FEED"
dotnet pack src/Dispatch.Core/Dispatch.Core.csproj -c Release -o "$FEED" -p:ContinuousIntegrationBuild=true --nologo

NUPKG="$FEED/Dispatch.Core.$VERSION.nupkg"
SNUPKG="$FEED/Dispatch.Core.$VERSION.snupkg"
[ -f "$NUPKG" ] || { echo "error: $NUPKG was not produced" >&2; ls -la "$FEED" >&2; exit 1; }
[ -f "$SNUPKG" ] || { echo "error: symbols package $SNUPKG was not produced" >&2; exit 1; }

echo "== package contents"
mkdir -p "$WORK/unpacked"
(cd "$WORK/unpacked" && unzip -q "$NUPKG")
NUSPEC="$WORK/unpacked/Dispatch.Core.nuspec"
fail() { echo "error: $*" >&2; exit 1; }
[ -f "$WORK/unpacked/README.md" ] || fail "README.md is not in the package"
grep -q '<readme>README.md</readme>' "$NUSPEC" || fail "nuspec has no <readme>"
grep -q '<license type="expression">MIT</license>' "$NUSPEC" || fail "nuspec has no MIT license expression"
grep -q "<version>$VERSION</version>" "$NUSPEC" || fail "nuspec version is not $VERSION"
grep -q '<repository type="git" url="https://github.com/dispatch-engine/dispatch"' "$NUSPEC" || fail "nuspec has no repository url"
[ -f "$WORK/unpacked/lib/net10.0/Dispatch.Core.dll" ] || fail "lib/net10.0/Dispatch.Core.dll missing"
[ -f "$WORK/unpacked/lib/net10.0/Dispatch.Core.xml" ] || fail "XML documentation missing"
unzip -l "$SNUPKG" > "$WORK/snupkg.txt"
grep -q 'lib/net10.0/Dispatch.Core.pdb' "$WORK/snupkg.txt" || fail "the symbols package has no PDB"
if git -C "$REPO" rev-parse --verify -q HEAD >/dev/null 2>&1; then
  mkdir -p "$WORK/symbols" && (cd "$WORK/symbols" && unzip -q "$SNUPKG")
  grep -aq 'raw.githubusercontent.com/dispatch-engine/dispatch/' "$WORK/symbols/lib/net10.0/Dispatch.Core.pdb" \
    || fail "the PDB has no SourceLink map to github.com/dispatch-engine/dispatch"
fi
echo "   README, MIT, XML docs, snupkg, repository + SourceLink: ok"

echo "== copy samples/EmbeddedDispatch with a PackageReference to Dispatch.Core $VERSION"
cp "$REPO"/samples/EmbeddedDispatch/*.cs "$APP/"
# The repo's build policy, without central package management (this copy pins its own version).
sed -e 's:<ManagePackageVersionsCentrally>true</ManagePackageVersionsCentrally>:<ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>:' \
    -e '/CentralPackageTransitivePinningEnabled/d' "$REPO/Directory.Build.props" > "$WORK/app/Directory.Build.props"
printf '<Project />\n' > "$WORK/app/Directory.Build.targets"
printf '<Project />\n' > "$WORK/app/Directory.Packages.props"
grep -q 'Dispatch.Core.csproj' "$REPO/samples/EmbeddedDispatch/EmbeddedDispatch.csproj" || fail "the sample no longer references Dispatch.Core.csproj"
sed -e "s:<ProjectReference Include=\"[^\"]*Dispatch.Core.csproj\" */>:<PackageReference Include=\"Dispatch.Core\" Version=\"$VERSION\" />:" \
    "$REPO/samples/EmbeddedDispatch/EmbeddedDispatch.csproj" > "$APP/EmbeddedDispatch.csproj"
grep -q 'ProjectReference' "$APP/EmbeddedDispatch.csproj" && fail "the copied sample still has a ProjectReference"

{
  echo '<?xml version="1.0" encoding="utf-8"?>'
  echo '<configuration>'
  echo '  <packageSources>'
  echo '    <clear />'
  echo "    <add key=\"local-feed\" value=\"$FEED\" />"
  [ -d "$USER_CACHE" ] && echo "    <add key=\"user-cache\" value=\"$USER_CACHE\" />"
  echo '    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />'
  echo '  </packageSources>'
  echo '  <packageSourceMapping>'
  echo '    <packageSource key="local-feed"><package pattern="Dispatch.Core" /></packageSource>'
  [ -d "$USER_CACHE" ] && echo '    <packageSource key="user-cache"><package pattern="*" /></packageSource>'
  echo '    <packageSource key="nuget.org"><package pattern="*" /></packageSource>'
  echo '  </packageSourceMapping>'
  echo '</configuration>'
} > "$WORK/app/nuget.config"

echo "== build and run the copy against the package"
export NUGET_PACKAGES="$WORK/nuget-packages"
dotnet build "$APP/EmbeddedDispatch.csproj" -c Release --nologo -v minimal
RESTORED="$NUGET_PACKAGES/dispatch.core/$VERSION/dispatch.core.$VERSION.nupkg"
[ -f "$RESTORED" ] || fail "Dispatch.Core $VERSION was not restored into $NUGET_PACKAGES"
cmp -s "$RESTORED" "$NUPKG" || fail "the restored Dispatch.Core is not the package just packed"
grep -q '"Dispatch.Core/'"$VERSION"'"' "$APP/obj/project.assets.json" || fail "project.assets.json does not use the Dispatch.Core package"

set +e
dotnet "$APP/bin/Release/net10.0/EmbeddedDispatch.dll"
RC=$?
set -e
if [ "$RC" -ne 0 ]; then
  echo "error: the sample built against the Dispatch.Core package exited $RC" >&2
  exit 1
fi
echo "package check: ok (Dispatch.Core $VERSION from a local feed; sample exit code 0)"
