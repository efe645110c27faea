#!/usr/bin/env bash
# Builds the SIP parser fuzz target with clang-14 and runs it for a while.
#   tests/fuzz/run_fuzz.sh <build-dir> <seconds> [sip-torture-dir]
# Builds into <build-dir>/fuzz (Ninja, JOBS parallel jobs, default 2), seeds a
# fresh corpus from the RFC 4475/5118 torture messages and runs libFuzzer for
# <seconds>. Exits non-zero on a build failure or on any crash, leak, timeout
# or out-of-memory; the input that caused it is kept in <build-dir>/fuzz/
# artifacts and printed (base64 and hex dump) in the log.
set -euo pipefail

usage() { echo "usage: $0 <build-dir> <seconds> [sip-torture-dir]" >&2; exit 2; }
[[ $# -ge 2 && $# -le 3 ]] || usage
[[ "$2" =~ ^[0-9]+$ && "$2" -gt 0 ]] || usage

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
mkdir -p "$1"
out="$(cd "$1" && pwd)/fuzz"
seconds=$2
jobs=${JOBS:-2}
cxx=${FUZZ_CXX:-clang++-14}

missing_deps() {
  echo "run_fuzz: $1" >&2
  echo "run_fuzz: clang-14 / libclang-rt-14-dev missing: run scripts/install-deps" >&2
  exit 1
}
command -v "$cxx" >/dev/null 2>&1 || missing_deps "$cxx not found"
rtdir=$("$cxx" -print-runtime-dir 2>/dev/null || true)
ls "$rtdir"/libclang_rt.fuzzer*.a >/dev/null 2>&1 ||
  missing_deps "no libFuzzer runtime in '${rtdir}'"

# The torture corpus: as given, else where tests/CMakeLists.txt looks for it
# (beside the checkout, or beside the repository it was cloned from).
torture=${3:-}
if [[ -z "$torture" ]]; then
  torture="$root/../shared/reference/sip-torture"
  if [[ ! -d "$torture" ]]; then
    origin=$(git -C "$root" remote get-url origin 2>/dev/null || true)
    [[ -n "$origin" && -d "$origin/../shared/reference/sip-torture" ]] &&
      torture="$origin/../shared/reference/sip-torture"
  fi
fi
if [[ ! -d "$torture/rfc4475" || ! -d "$torture/rfc5118" ]]; then
  echo "run_fuzz: SIP torture messages not found in '$torture'" \
       "(pass the directory as the 3rd argument)" >&2
  exit 1
fi

echo "run_fuzz: building into $out/build with $cxx (-j$jobs)"
mkdir -p "$out"
cmake -S "$here" -B "$out/build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" \
  -DSB_SOURCE_DIR="$root" >"$out/configure.log" 2>&1 || {
  cat "$out/configure.log" >&2; echo "run_fuzz: configure failed" >&2; exit 1; }
cmake --build "$out/build" -j"$jobs" || { echo "run_fuzz: build failed" >&2; exit 1; }
fuzzer="$out/build/sip_parse_fuzz"

# A fresh working corpus each run, seeded with every torture message as
# stored and, for the LF-only RFC 5118 files, with CRLF line ends.
corpus="$out/corpus"
seeds="$out/seeds"
artifacts="$out/artifacts"
rm -rf "$corpus" "$seeds" "$artifacts"
mkdir -p "$corpus" "$seeds" "$artifacts"
for f in "$torture"/rfc4475/*.dat; do
  [[ -f "$f" ]] && cp "$f" "$seeds/rfc4475-$(basename "$f")"
done
for f in "$torture"/rfc5118/*; do
  [[ -f "$f" ]] || continue
  cp "$f" "$seeds/rfc5118-$(basename "$f")"
  sed 's/\r\{0,1\}$/\r/' "$f" >"$seeds/rfc5118-$(basename "$f").crlf"
done
echo "run_fuzz: $(ls "$seeds" | wc -l) seeds from $torture"

# Known findings: replay their reproducers without waivers (for the log
# only), then waive them for the fuzzing run and use them as extra seeds.
known=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$here/known_findings" \
  2>/dev/null | paste -sd, - || true)
crashes=()
for f in "$here"/crashes/*; do [[ -f "$f" ]] && crashes+=("$f"); done
for f in "${crashes[@]}"; do
  if why=$(SB_FUZZ_KNOWN= "$fuzzer" "$f" 2>&1); then
    echo "run_fuzz: reproducer $(basename "$f") passes without waivers:" \
         "fixed? remove its name from tests/fuzz/known_findings"
  else
    echo "run_fuzz: KNOWN FINDING (waived) still reproduces: $(basename "$f"):" \
         "$(grep -m1 -E 'invariant violated|ERROR:|runtime error' <<<"$why" || true)"
  fi
done
export SB_FUZZ_KNOWN="$known"
[[ -z "$known" ]] || echo "run_fuzz: waived known findings: $known"
extra=()
[[ ${#crashes[@]} -eq 0 ]] || extra=("$here/crashes")

# Keep whatever sanitizer options the caller set (make test sets some), but
# always detect leaks and symbolize.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:symbolize=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1"

echo "run_fuzz: fuzzing for ${seconds}s"
set +e
"$fuzzer" "$corpus" "$seeds" "${extra[@]}" \
  -max_total_time="$seconds" -max_len=8192 -rss_limit_mb=1024 -timeout=10 \
  -artifact_prefix="$artifacts/" -print_final_stats=1 \
  2>&1 | tee "$out/fuzz.log"
rc=${PIPESTATUS[0]}
set -e

found=0
for a in "$artifacts"/*; do
  [[ -f "$a" ]] || continue
  found=1
  echo "run_fuzz: ---- artifact $a ($(stat -c %s "$a") bytes) ----"
  echo "run_fuzz: base64:"
  base64 -w 76 "$a"
  echo "run_fuzz: hexdump:"
  od -A x -t x1z -v "$a" | head -n 200
done

if [[ $rc -ne 0 || $found -ne 0 ]]; then
  echo "run_fuzz: FAILED (fuzzer exit $rc); reproduce with: $fuzzer <artifact>" >&2
  exit 1
fi
echo "run_fuzz: OK, no crash, leak or timeout in ${seconds}s"
