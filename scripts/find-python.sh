#!/usr/bin/env sh
# Print the path of a working Python 3.10: python3.10 on PATH first, then pyenv's installs.
# (A pyenv shim can be on PATH yet fail when 3.10 is not the selected version, so each candidate is run.)
for candidate in "${PYTHON:-}" python3.10 \
    "$(pyenv root 2>/dev/null)"/versions/3.10.*/bin/python3.10 \
    "$HOME"/.pyenv/versions/3.10.*/bin/python3.10 \
    /root/.pyenv/versions/3.10.*/bin/python3.10; do
  [ -n "$candidate" ] || continue
  if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; then
    command -v "$candidate" 2>/dev/null || echo "$candidate"
    exit 0
  fi
done
echo "Python 3.10 not found: install it (e.g. 'pyenv install 3.10') or set PYTHON=/path/to/python3.10" >&2
exit 1
