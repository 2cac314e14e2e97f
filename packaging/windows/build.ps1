# Builds the Windows workstation: dist\seat-client\ (PyInstaller, one folder) and, with Inno
# Setup 6 installed, the installer dist\seat-client-setup-<version>.exe.
# Run on a Windows 10/11 x64 build machine with Python 3.11 (python.org, "py" launcher) from
# the checkout's root, after the wheel was built (scripts/package wheel, on Linux or here with
# "py -m build"):
#
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1 -Wheel dist\seat-0.1.0-py3-none-any.whl
#
# The same spec (packaging\windows\seat-client.spec) is built and smoke-run on Linux by CI;
# the Windows build itself is not run there (see docs/deployment.md).
param(
    [Parameter(Mandatory = $true)][string]$Wheel,
    [string]$PyInstaller = "pyinstaller==6.22.3",
    [string]$InnoSetup = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe"
)
$ErrorActionPreference = "Stop"
$venv = "build\pyinstaller-venv"
if (Test-Path $venv) { Remove-Item -Recurse -Force $venv }
py -3.11 -m venv $venv
& "$venv\Scripts\python.exe" -m pip install --disable-pip-version-check $PyInstaller $Wheel
if ($LASTEXITCODE -ne 0) { throw "pip install failed" }
& "$venv\Scripts\pyinstaller.exe" --noconfirm --distpath dist --workpath build\pyinstaller `
    packaging\windows\seat-client.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }
# The smoke test CI runs on Linux, here on Windows: offscreen, nothing of the agent's touched.
$env:QT_QPA_PLATFORM = "offscreen"
& dist\seat-client\seat-client-console.exe --self-test
if ($LASTEXITCODE -ne 0) { throw "self-test failed" }
Remove-Item Env:\QT_QPA_PLATFORM
$version = (& dist\seat-client\seat-client-console.exe --version).Split(" ")[1]
if (Test-Path $InnoSetup) {
    & $InnoSetup "/DAppVersion=$version" "/DSourceDir=$(Resolve-Path dist\seat-client)" `
        "/O$(Resolve-Path dist)" packaging\windows\seat-client.iss
    if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
} else {
    Write-Warning "Inno Setup 6 not found at $InnoSetup: only the folder was built"
}
