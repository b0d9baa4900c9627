#!/usr/bin/env bash
# doc_lint.sh HEADER...
#
# What Doxygen cannot check in the C API's comments (conventions.md): the
# comment of every public function says which thread may call it, and, for
# a function that returns a wb_status_t, which statuses it returns (\return
# or ::WB_...); every enumerator has its own comment (Doxygen does not warn
# about undocumented enum values). Prints FILE:LINE: item: what is missing,
# for each one.
set -euo pipefail
status=0
for header in "$@"; do
  awk -v file="$header" '
    function report(what) { printf "%s:%d: %s: %s\n", file, NR, fn, what; bad = 1 }
    # doc comments: /** ... */ (not the /**< member form)
    !incomment && /\/\*\*[^<]/ || !incomment && /\/\*\*$/ {
      doc = ""; incomment = 1
    }
    incomment {
      doc = doc " " $0
      if ($0 ~ /\*\//) { incomment = 0; lastdoc = doc; docend = NR }
      next
    }
    # enumerators: one per line, each with a /**< comment (or a /** block before it)
    /^typedef enum [a-z_0-9]+ *\{.*\}/ {
      fn = $3; report("put each enumerator on a line of its own, with a /**< comment"); next
    }
    /^typedef enum / { inenum = 1; lastdoc = ""; docend = 0; next }
    inenum && /^\}/ { inenum = 0; lastdoc = ""; docend = 0; next }
    inenum && /^[ \t]+[A-Z][A-Z0-9_]*/ {
      fn = $1; sub(/[ =,].*/, "", fn)
      if ($0 !~ /\/\*\*</ && docend != NR - 1) report("enumerator without a comment (/**< what it means */)")
      lastdoc = ""; docend = 0
      next
    }
    inenum { next }
    # a public function prototype at the start of a line
    /^(const )?[a-z_]+[ *]+wb_[a-z0-9_]+\(/ {
      fn = $0; sub(/\(.*/, "", fn); sub(/.*[ *]/, "", fn)
      if (docend == 0 || lastdoc == "") { report("no documentation comment before it"); next }
      if (tolower(lastdoc) !~ /thread/)
        report("its comment names no thread rule (say who may call it: any thread, the owner thread of the store, the creator thread, ...)")
      if ($0 ~ /^wb_status_t / && lastdoc !~ /::WB_|\\return/)
        report("its comment names no status (list what it returns: \\return ::WB_ERR_... )")
      lastdoc = ""; docend = 0
      next
    }
    # any other code ends the reach of the last comment, except the
    # continuation of a prototype and blank lines
    /^[ \t]*$/ { next }
    /;[ \t]*$/ || /^[a-z#}]/ { lastdoc = ""; docend = 0 }
    END { exit bad }
  ' "$header" || status=1
done
exit $status
