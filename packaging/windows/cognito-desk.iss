; Inno Setup 6 script: the cognito-desk installer for Windows (x64).
;
; Not built on this project's Linux machines: run packaging\windows\build.ps1 on Windows, which builds the
; PyInstaller bundle first and passes the version in:  iscc /DAppVersion=0.1.0 packaging\windows\cognito-desk.iss
;
; Installs the onedir bundle into Program Files (or the user's own Programs folder when installing for the
; current user only), a Start-menu entry, an optional desktop icon, file associations for exported identity
; pools (.cdpool) and sign-in scenarios (.cdscenario), and an uninstaller. The app writes nothing into its
; install folder (data, settings and logs live under %LOCALAPPDATA%\cognito-desk), so the uninstaller removes
; the folder whole; user data is kept, as Windows users expect.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z cognito-desk.iss
#endif
#define AppName "cognito-desk"
#define AppExe "cognito-desk.exe"
#define BundleDir "..\..\build\dist\cognito-desk"

[Setup]
AppId={{6B3E2F0A-4C1D-4E8B-9A57-2D1C0B7E9F31}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=The cognito-desk developers
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0.17763
OutputDir=..\..\build\packages
OutputBaseFilename=cognito-desk-{#AppVersion}-windows-x64-setup
SetupIconFile=..\..\build\icons\cognito-desk.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole onedir bundle: cognito-desk.exe (windowed), cognito-desk-cli.exe (console: --self-test, serve) and _internal\.
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Amazon Cognito identity pools on the desktop"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; HKA = HKLM for an all-users install, HKCU for a per-user one.
Root: HKA; Subkey: "Software\Classes\.cdpool\OpenWithProgids"; ValueType: string; ValueName: "CognitoDesk.Pools"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\CognitoDesk.Pools"; ValueType: string; ValueName: ""; ValueData: "cognito-desk identity pool export"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\CognitoDesk.Pools\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\CognitoDesk.Pools\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""
Root: HKA; Subkey: "Software\Classes\.cdscenario\OpenWithProgids"; ValueType: string; ValueName: "CognitoDesk.Scenario"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\CognitoDesk.Scenario"; ValueType: string; ValueName: ""; ValueData: "cognito-desk sign-in scenario"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\CognitoDesk.Scenario\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\CognitoDesk.Scenario\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".cdpool"; ValueData: ""; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".cdscenario"; ValueData: ""

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
