#!/usr/bin/env bash
# The README's test command and the CI job: install what is missing, build Release and run the
# whole ctest suite, then the same under AddressSanitizer + UBSan. Exits non-zero if any phase
# fails; a failing test run does not stop the next one, so one CI run reports both.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

failed=()
t0=$SECONDS

# phase NAME CMD...: runs CMD, prints how long it took, remembers a failure.
phase() {
  local name=$1 start=$SECONDS rc=0
  shift
  "$@" || rc=$?
  if ((rc == 0)); then
    echo "== $name: $((SECONDS - start))s"
  else
    echo "== $name: $((SECONDS - start))s, FAILED (exit $rc)"
    failed+=("$name")
  fi
  return "$rc"
}

# run_ctest BUILD_DIR [ctest args...]: every Catch2 test case is its own ctest test, so passing
# tests are hidden; failures (with their output) and ctest's summary are shown.
# --timeout only applies to tests without their own TIMEOUT property; it stops a hung test
# (e.g. one waiting for input CI never sends) long before the job limit.
run_ctest() {
  local dir=$1
  shift
  (cd "$dir" && ctest --output-on-failure --no-tests=error --timeout 300 -j2 "$@") 2>&1 |
    grep --line-buffered -vE '^ *(Start +[0-9]+:|[0-9]+/[0-9]+ Test +#[0-9]+: .* +Passed +[0-9.]+ sec$)'
  return "${PIPESTATUS[0]}"
}

# Without dependencies or a build nothing later can run, so these stop the script.
phase "install deps" bash ci/install-deps.sh || exit 1
phase "build Release (build/)" bash ci/build.sh build || exit 1
phase "ctest Release" run_ctest build || true

# The sanitizer build is optimised for its own compile time (-O1 halves it against -O2, and
# -g1 keeps line numbers in reports without full debug info). Under the sanitizers the tests
# labelled `qemu` (QEMU's side of a comparison is most of their cost) and `per-guest` (one more
# guest without input through paths other tests cover) are skipped; they ran above.
if phase "build ASan+UBSan (build-asan/)" bash ci/build.sh build-asan \
     -DRR_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRR_BUILD_BENCH=OFF \
     "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"; then
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    phase "ctest ASan+UBSan (-LE 'qemu|per-guest')" run_ctest build-asan -LE 'qemu|per-guest' || true
fi

echo "== total: $((SECONDS - t0))s"
if ((${#failed[@]} > 0)); then
  printf 'FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "all phases passed"
