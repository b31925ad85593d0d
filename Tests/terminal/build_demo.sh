#!/bin/sh
# Build the line-editor test driver outside the parley package:
#   Tests/terminal/build_demo.sh [DIR]      (default: /tmp/le-demo)
# DIR gets a Package.swift whose CLineEdit target and LineEditor.swift /
# TerminalSecret.swift are symlinks into this checkout, plus demo/main.swift
# and a stand-in ParleyShell module holding the type TerminalSecret needs.
# Prints the path of the built executable.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
dir=${1:-${LE_DEMO_DIR:-/tmp/le-demo}}
mkdir -p "$dir/Sources/demo" "$dir/Sources/ParleyShell"
cp "$here/demo/Package.swift.in" "$dir/Package.swift"
ln -sfn "$repo/Sources/CLineEdit" "$dir/Sources/CLineEdit"
ln -sf "$repo/Sources/parley/LineEditor.swift" "$dir/Sources/demo/LineEditor.swift"
ln -sf "$repo/Sources/parley/TerminalSecret.swift" "$dir/Sources/demo/TerminalSecret.swift"
ln -sf "$here/demo/main.swift" "$dir/Sources/demo/main.swift"
ln -sf "$here/demo/ParleyShell/PromptAnswer.swift" "$dir/Sources/ParleyShell/PromptAnswer.swift"
(cd "$dir" && swift build -j 1 >&2)
echo "$dir/.build/debug/demo"
