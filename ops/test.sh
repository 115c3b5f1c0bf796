#!/bin/sh
# ops/test.sh: install what is missing, build, and run every test with ctest.
#
#   ops/test.sh                 the whole suite (build dir: build/)
#   ops/test.sh --asan          the same under AddressSanitizer + UBSan (build dir: build-asan/)
#   ops/test.sh -R merkle       extra arguments go to ctest
#   ops/test.sh -L browser      the dashboard in headless Chromium (screenshots: build/browser-shots/)
set -eu
cd "$(dirname "$0")/.."

build=build
cmake_args="-DCMAKE_BUILD_TYPE=RelWithDebInfo"
if [ "${1:-}" = "--asan" ]; then
    shift
    build=build-asan
    cmake_args="-DCMAKE_BUILD_TYPE=Debug -DMM_SANITIZE=ON"
fi

started=$(date +%s)
ops/bootstrap.sh
cmake -S . -B "$build" $cmake_args >/dev/null
cmake --build "$build" -j"$(nproc)"
status=0
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" "$@" || status=$?
echo "test.sh: finished in $(( $(date +%s) - started )) s with status $status"
exit $status
