# Sourced by the postinst of seat-client and seat-hub: (re)makes the package's private
# virtualenv from the wheels it carries, offline. The virtualenv is made anew on every
# configure (install or upgrade); nothing of the user's lives in it.
seat_make_venv() {  # VENV WHEELS REQUIREMENTS...
  venv=$1; wheels=$2; shift 2
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  # Debian's Python, whatever python3 comes first on the PATH dpkg was run with
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --no-index --no-cache-dir \
    --disable-pip-version-check --find-links "$wheels" "$@"
}
