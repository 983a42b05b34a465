# Build the Windows installer: bundle -> self-test -> sign -> Inno Setup -> sign the installer.
#
# Not run on this project's Linux machines. Needs: Python 3.11+ (py launcher), Inno Setup 6 (iscc.exe on PATH
# or in its default folder), and for signing the Windows SDK's signtool.exe plus a code-signing certificate
# (set COGNITO_DESK_SIGN_CERT_SHA1 to its thumbprint in the user's certificate store; unset = unsigned build).
# Run from the repository root:  powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
$ErrorActionPreference = "Stop"

if (-not (Test-Path .venv)) { py -3 -m venv .venv }
$python = ".venv\Scripts\python.exe"
# The app and PyInstaller (test extra); Pillow writes the .ico.
& $python -m pip install --quiet -e ".[test]" pillow
if ($LASTEXITCODE -ne 0) { throw "pip install failed" }
& $python packaging\icons.py build\icons
& $python -c "from PIL import Image; Image.open('build/icons/cognito-desk-256.png').save('build/icons/cognito-desk.ico', sizes=[(16,16),(24,24),(32,32),(48,48),(64,64),(128,128),(256,256)])"
& $python -m PyInstaller --noconfirm --distpath build\dist --workpath build\pyinstaller packaging\cognito-desk.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }

# The console twin prints the self-test; QtWebEngine's sandbox is on (a normal user on Windows).
& build\dist\cognito-desk\cognito-desk-cli.exe --self-test
if ($LASTEXITCODE -ne 0) { throw "the bundle's self-test failed" }

$version = & $python -c "import importlib.metadata as m; print(m.version('cognito-desk'))"
$timestamp = "http://timestamp.digicert.com"
if ($env:COGNITO_DESK_SIGN_CERT_SHA1) {
    # Sign every executable and library the bundle carries (QtWebEngineProcess.exe included), then the installer.
    Get-ChildItem build\dist\cognito-desk -Recurse -Include *.exe,*.dll,*.pyd |
        ForEach-Object { signtool sign /sha1 $env:COGNITO_DESK_SIGN_CERT_SHA1 /fd sha256 /tr $timestamp /td sha256 $_.FullName }
}
$iscc = (Get-Command iscc.exe -ErrorAction SilentlyContinue).Source
if (-not $iscc) { $iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
& $iscc "/DAppVersion=$version" packaging\windows\cognito-desk.iss
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
$setup = "build\packages\cognito-desk-$version-windows-x64-setup.exe"
if ($env:COGNITO_DESK_SIGN_CERT_SHA1) {
    signtool sign /sha1 $env:COGNITO_DESK_SIGN_CERT_SHA1 /fd sha256 /tr $timestamp /td sha256 $setup
    signtool verify /pa $setup
}
Write-Host "built $setup"
