; Inno Setup 6 script: the Windows installer of the workstation (坐席工作台).
; Built by packaging\windows\build.ps1 from dist\seat-client\ (PyInstaller):
;   ISCC.exe /DAppVersion=0.1.0 /DSourceDir=C:\seat\dist\seat-client /OC:\seat\dist seat-client.iss
; Installs for all users under Program Files; each agent's settings and data stay in their
; profile (%APPDATA%, %LOCALAPPDATA%), and the hall's settings in
; %ProgramData%\Seat\client.toml, so an upgrade or an uninstall never touches them.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\seat-client"
#endif

[Setup]
AppId={{6F1C2A7E-3B54-4C59-9A1E-5EA7C0F0D119}
AppName=视频办坐席工作台
AppVerName=视频办坐席工作台 {#AppVersion}
AppVersion={#AppVersion}
AppPublisher=东莞市视频办 Seat
DefaultDirName={autopf}\Seat
DefaultGroupName=视频办坐席
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputBaseFilename=seat-client-setup-{#AppVersion}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\seat-client.exe
; An upgrade installs over the old folder: close a running workstation first.
CloseApplications=yes

[Languages]
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[InstallDelete]
; Files of an older version that this one no longer has.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Dirs]
; The hall's settings live here (client.toml, written by the administrator); kept on uninstall.
Name: "{commonappdata}\Seat"; Flags: uninsneveruninstall

[Icons]
Name: "{autoprograms}\坐席工作台"; Filename: "{app}\seat-client.exe"
Name: "{autodesktop}\坐席工作台"; Filename: "{app}\seat-client.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Run]
Filename: "{app}\seat-client-console.exe"; Parameters: "--self-test"; \
  Description: "自检 / self-test"; Flags: postinstall skipifsilent unchecked runascurrentuser
