#!/usr/bin/env bash
# Build, sign, notarize and package cognito-desk.app as a .dmg (macOS 12+, Apple silicon or Intel).
#
# Not run on this project's Linux machines. Needs: Python 3.11+ from python.org or Homebrew, Xcode's command
# line tools (codesign, hdiutil, xcrun notarytool/stapler). For a signed, notarized build set:
#   COGNITO_DESK_SIGN_IDENTITY   "Developer ID Application: Name (TEAMID)" in the login keychain
#   COGNITO_DESK_NOTARY_PROFILE  a notarytool keychain profile, made once with
#                                xcrun notarytool store-credentials NAME --apple-id ... --team-id ... --password ...
# Without them the build is ad-hoc signed (runs on this Mac only; Gatekeeper blocks it elsewhere).
# Run from the repository root:  bash packaging/macos/build.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet -e ".[test]" pillow   # PyInstaller (test extra); Pillow writes the .icns
.venv/bin/python packaging/icons.py build/icons
.venv/bin/python -m PyInstaller --noconfirm --distpath build/dist --workpath build/pyinstaller packaging/cognito-desk.spec

APP=build/dist/cognito-desk.app
VERSION=$(.venv/bin/python -c "import importlib.metadata as m; print(m.version('cognito-desk'))")
DMG=build/packages/cognito-desk-$VERSION-macos-$(uname -m).dmg
IDENTITY=${COGNITO_DESK_SIGN_IDENTITY:--}   # "-" = ad-hoc
HERE=packaging/macos

# Sign inside out: every library and helper first, then QtWebEngineProcess with Chromium's entitlements, then
# the app itself. --options runtime (the hardened runtime) and a secure timestamp are what notarization requires.
sign() { codesign --force --timestamp --options runtime --sign "$IDENTITY" "$@"; }
find "$APP/Contents" -type f \( -name "*.so" -o -name "*.dylib" \) -print0 | while IFS= read -r -d '' lib; do sign "$lib"; done
find "$APP/Contents" -type d -name "*.framework" -print0 | while IFS= read -r -d '' framework; do sign "$framework"; done
HELPER=$(find "$APP/Contents" -path "*QtWebEngineProcess.app" -type d | head -n 1)
[ -n "$HELPER" ] || { echo "QtWebEngineProcess.app not found in $APP" >&2; exit 1; }
sign --entitlements "$HERE/QtWebEngineProcess.entitlements" "$HELPER"
sign --entitlements "$HERE/app.entitlements" "$APP"
codesign --verify --deep --strict --verbose=2 "$APP"

# The bundle must pass its own self-test before it is shipped (the Chromium sandbox is on: a normal user).
"$APP/Contents/MacOS/cognito-desk" --self-test

mkdir -p build/packages build/dmg
rm -rf build/dmg/* "$DMG"
cp -R "$APP" build/dmg/
ln -s /Applications build/dmg/Applications
hdiutil create -volname "cognito-desk $VERSION" -srcfolder build/dmg -ov -format UDZO "$DMG"
codesign --force --timestamp --sign "$IDENTITY" "$DMG"

if [ -n "${COGNITO_DESK_NOTARY_PROFILE:-}" ]; then
    xcrun notarytool submit "$DMG" --keychain-profile "$COGNITO_DESK_NOTARY_PROFILE" --wait
    xcrun stapler staple "$DMG"
    xcrun stapler validate "$DMG"
    spctl --assess --type open --context context:primary-signature --verbose "$DMG"
fi
echo "built $DMG"
