# Sourced by the bench scripts: wall-clock seconds of one command.

# Runs "$@" with its output discarded; prints the seconds it took.
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || true
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
