;;; e2e.el --- ladder-ls end to end in a real Emacs, in batch mode  -*- lexical-binding: t; -*-

;; Run by tests/tests/emacs.rs:
;;
;;   emacs --batch -Q -l tests/emacs/e2e.el
;;
;; Environment:
;;   LADDER_LS_BIN         the ladder-ls binary under test (required)
;;   LADDER_EMACS_PROJECT  a scratch copy of fixtures/sample_app, edited by the test (required)
;;   LADDER_EMACS_RESULT   file this script writes "PASS ..." or "FAIL ..." to, with a log (required)
;;   LADDER_EMACS_CLIENT   "eglot" (default) or "lsp-mode"
;;   LADDER_EMACS_WAIT     seconds any one wait may take (default 25)
;;   LADDER_EMACS_ELPA     where the Debian elpa-* packages are (default /usr/share/emacs/site-lisp/elpa)
;;
;; The eglot scenario loads editors/emacs/ladder-ls.el as a user would, visits
;; lib/shop/orders.ex, and checks through Eglot's own code paths (flymake, eldoc's
;; hover function, `eglot-code-actions'): diagnostics with codes, initializationOptions
;; honoured, hover, the "Remove `IO.inspect`" quick fix, fix-all, fix-all on save,
;; the level command, and a clean shutdown.  The lsp-mode scenario checks the
;; `lsp-register-client' snippet of editors/emacs/README.md (diagnostics, a quick fix
;; through `lsp-execute-code-action', shutdown).
;;
;; Batch Emacs has no command loop: nothing runs `post-command-hook' or idle timers,
;; which is where Eglot sends didChange, eglot-ensure connects and flymake starts.
;; `e2e-command' and `e2e-wait' emulate that loop (hooks around each "command", then
;; idle timers once Emacs has been idle for their delay), nothing more.

;;; Code:

(require 'cl-lib)
(require 'subr-x)

(defvar e2e-dir (file-name-directory (or load-file-name buffer-file-name)))
(defvar e2e-repo (expand-file-name "../../" e2e-dir))
(defvar e2e-elpa (or (getenv "LADDER_EMACS_ELPA") "/usr/share/emacs/site-lisp/elpa")
  "Where Debian's elpa-* packages install (elpa-eglot: eglot-1.9/).")
(defvar e2e-bin (getenv "LADDER_LS_BIN"))
(defvar e2e-project (getenv "LADDER_EMACS_PROJECT"))
(defvar e2e-result (getenv "LADDER_EMACS_RESULT"))
(defvar e2e-client (or (getenv "LADDER_EMACS_CLIENT") "eglot"))
(defvar e2e-wait-seconds (string-to-number (or (getenv "LADDER_EMACS_WAIT") "25")))
(defvar e2e-log-lines nil)
(defvar e2e-started (float-time))

(define-error 'e2e-failure "e2e failure")

(defun e2e-log (fmt &rest args)
  (let ((line (format "%6.2fs %s" (- (float-time) e2e-started) (apply #'format fmt args))))
    (push line e2e-log-lines)
    (message "[e2e] %s" line)))

(defun e2e-fail (fmt &rest args)
  (signal 'e2e-failure (list (apply #'format fmt args))))

(defun e2e-check (ok fmt &rest args)
  (unless ok (apply #'e2e-fail fmt args)))

;;; The command loop, emulated

(defvar e2e-idle-since (float-time) "When the last emulated command ended.")
(defvar e2e-idle-fired nil "Idle timers already run in this idle period.")

(defun e2e-command (fn &rest args)
  "Run FN with ARGS as the command loop runs a command: hooks around it, then idle."
  (run-hooks 'pre-command-hook)
  (prog1 (apply fn args)
    (run-hooks 'post-command-hook)
    (setq e2e-idle-since (float-time)
          e2e-idle-fired nil)))

(defun e2e-run-idle-timers ()
  "Run the idle timers whose delay the current idle period has reached, each once."
  (let ((idle (- (float-time) e2e-idle-since)))
    (dolist (timer (copy-sequence timer-idle-list))
      (when (and (not (memq timer e2e-idle-fired))
                 (>= idle (float-time (timer--time timer))))
        (push timer e2e-idle-fired)
        (timer-event-handler timer)))))

(defun e2e-wait (what pred)
  "Wait until PRED returns non-nil (and return that), or fail saying WHAT."
  (let ((deadline (+ (float-time) e2e-wait-seconds))
        value)
    (while (not (setq value (funcall pred)))
      (when (> (float-time) deadline)
        (e2e-fail "timed out after %ss waiting for %s" e2e-wait-seconds what))
      (accept-process-output nil 0.05)
      (e2e-run-idle-timers))
    value))

;;; Packages

(defun e2e-use-debian-elpa ()
  "Activate every Debian elpa-* package: put it on `load-path' and load its
autoloads, as package.el does at startup (which -Q skips)."
  (let ((dirs (cl-remove-if-not #'file-directory-p
                                (file-expand-wildcards (expand-file-name "*-[0-9]*" e2e-elpa)))))
    (dolist (dir dirs)
      (add-to-list 'load-path dir))
    (dolist (dir dirs)
      (dolist (autoloads (file-expand-wildcards (expand-file-name "*-autoloads.el" dir)))
        (load autoloads nil t)))))

(defun e2e-library-version (library)
  (require 'lisp-mnt)
  (let ((file (locate-library (concat library ".el"))))
    (format "%s %s (%s)" library
            (or (and file (lm-version file)) "?")
            (or file (locate-library library)))))

;;; Buffer helpers

(defun e2e-file () (expand-file-name "lib/shop/orders.ex" e2e-project))

(defun e2e-text () (buffer-substring-no-properties (point-min) (point-max)))

(defun e2e-diag-beg (diag)
  "Where DIAG starts now: its overlay's start (flymake 1.2's `flymake-diagnostic-beg'
is the position at report time, stale after an edit), nil when the overlay is gone."
  (let ((ov (and (fboundp 'flymake--diag-overlay) (flymake--diag-overlay diag))))
    (if (overlayp ov)
        (overlay-start ov)
      (min (flymake-diagnostic-beg diag) (point-max)))))

(defun e2e-diags ()
  "The buffer's flymake diagnostics as (LINE . TEXT), sorted by line."
  (sort (delq nil (mapcar (lambda (d)
                            (when-let ((beg (e2e-diag-beg d)))
                              (cons (line-number-at-pos beg) (flymake-diagnostic-text d))))
                          (flymake-diagnostics)))
        (lambda (a b) (< (car a) (car b)))))

(defun e2e-with-code (code diags)
  "The DIAGS (LINE . TEXT) whose text names CODE as eglot shows it: [CODE]."
  (cl-remove-if-not (lambda (d) (string-match-p (regexp-quote (format "[%s]" code)) (cdr d)))
                    diags))

(defun e2e-fresh-p (before)
  "Whether flymake's diagnostics are a new report: none of them is one of BEFORE.
Needed after an edit: flymake's overlays move with the text and vanish with it
\(`evaporate'), so old diagnostics can look just like the expected new ones."
  (let ((now (flymake-diagnostics)))
    (and now (cl-notany (lambda (d) (memq d before)) now))))

(defun e2e-line-of (needle)
  "The line number of the first line containing NEEDLE."
  (save-excursion
    (goto-char (point-min))
    (e2e-check (search-forward needle nil t) "%S is not in the buffer" needle)
    (line-number-at-pos)))

(defun e2e-goto (needle)
  (goto-char (point-min))
  (e2e-check (search-forward needle nil t) "%S is not in the buffer" needle)
  (goto-char (match-beginning 0)))

(defun e2e-diag-at-line (code line)
  "The flymake diagnostic object of CODE on LINE."
  (cl-find-if (lambda (d)
                (and (e2e-diag-beg d)
                     (= (line-number-at-pos (e2e-diag-beg d)) line)
                     (string-match-p (regexp-quote (format "[%s]" code))
                                     (flymake-diagnostic-text d))))
              (flymake-diagnostics)))

(defun e2e-mode ()
  "`elixir-mode' for .ex files: the real one when installed, else a stand-in.
Emacs 28 has no Elixir mode; users install elixir-mode (MELPA) or use
elixir-ts-mode (Emacs 30+).  Eglot and lsp-mode only need the mode's name."
  (unless (fboundp 'elixir-mode)
    (define-derived-mode elixir-mode prog-mode "Elixir"
      "Stand-in Elixir mode for the test."
      (setq-local comment-start "# "))
    (add-to-list 'auto-mode-alist '("\\.exs?\\'" . elixir-mode))))

(defvar e2e-original nil "The text of orders.ex before the test touched it.")

;;; Eglot

(defun e2e-eglot ()
  (e2e-use-debian-elpa)
  (unless (locate-library "eglot")
    (e2e-fail "eglot is not installed (no %s/eglot-*, no built-in eglot): run tests/emacs/install.sh"
              e2e-elpa))
  (require 'eglot)
  (e2e-log "%s" (e2e-library-version "eglot"))
  (e2e-log "%s" (e2e-library-version "flymake"))
  (e2e-mode)
  ;; The user's configuration: the snippet from editors/emacs, with options.
  (defvar ladder-ls-program)
  (defvar ladder-ls-initialization-options)
  (defvar ladder-ls-fix-all-on-save)
  (setq ladder-ls-program e2e-bin
        ;; Checked below: with this, doc-without-example findings never arrive.
        ladder-ls-initialization-options '(:rules (:doc-without-example "off")
                                           :mix (:enabled :json-false)))
  (load (expand-file-name "editors/emacs/ladder-ls.el" e2e-repo) nil t)

  ;; Visit the file: elixir-mode-hook runs eglot-ensure, which connects at the end of
  ;; the command.
  (e2e-command #'find-file (e2e-file))
  (e2e-check (eq major-mode 'elixir-mode) "orders.ex opened in %s" major-mode)
  (setq e2e-original (e2e-text))
  (let ((before nil)                    ; flymake's diagnostics before an edit
        (server (e2e-wait "eglot to connect"
                          (lambda () (and (bound-and-true-p eglot--managed-mode)
                                          (eglot-current-server))))))
    (e2e-log "connected: %S, root %s" (plist-get (eglot--server-info server) :name)
             (project-root (eglot--project server)))
    (e2e-check (equal (plist-get (eglot--server-info server) :name) "ladder-ls")
               "the server for elixir-mode is %S, not ladder-ls" (eglot--server-info server))
    (e2e-check (file-equal-p (project-root (eglot--project server)) e2e-project)
               "the project root is %s, not the folder with mix.exs (%s)"
               (project-root (eglot--project server)) e2e-project)
    (e2e-check (bound-and-true-p flymake-mode) "flymake-mode is off in the managed buffer")

    ;; Diagnostics reach flymake, as eglot shows them: "ladder [CODE]: message".
    (let* ((inspect-line (e2e-line-of "|> IO.inspect(label: \"order\")"))
           (log-line (e2e-line-of "defp log(order)"))
           (diags (e2e-wait "flymake diagnostics with io-inspect"
                            (lambda () (let ((ds (e2e-diags)))
                                         (and (e2e-with-code "io-inspect" ds) ds))))))
      (e2e-log "diagnostics: %S" diags)
      (e2e-check (equal (mapcar #'car (e2e-with-code "io-inspect" diags)) (list inspect-line log-line))
                 "io-inspect expected on lines %s and %s: %S" inspect-line log-line diags)
      (e2e-check (string-prefix-p "ladder [io-inspect]: " (cdr (car (e2e-with-code "io-inspect" diags))))
                 "unexpected diagnostic text: %S" (car (e2e-with-code "io-inspect" diags)))
      (e2e-check (= 2 (length (e2e-with-code "missing-spec" diags))) "two missing-spec expected: %S" diags)
      (e2e-check (= 1 (length (e2e-with-code "trailing-whitespace" diags)))
                 "one trailing-whitespace expected: %S" diags)
      (e2e-check (null (e2e-with-code "doc-without-example" diags))
                 "doc-without-example is off in initializationOptions, yet: %S" diags)

      ;; Closed files: ladder lints the whole project, eglot keeps those findings for
      ;; M-x flymake-show-project-diagnostics (lib/shop/cart.ex has a syntax error).
      (let* ((cart (expand-file-name "lib/shop/cart.ex" e2e-project))
             (found (e2e-wait "project diagnostics for the closed lib/shop/cart.ex"
                              (lambda () (cdr (assoc cart flymake-list-only-diagnostics))))))
        (e2e-log "closed cart.ex: %S" (mapcar #'flymake-diagnostic-text found))
        (e2e-check (cl-some (lambda (d) (string-match-p "\\[syntax-error\\]" (flymake-diagnostic-text d)))
                            found)
                   "no syntax-error for cart.ex: %S" (mapcar #'flymake-diagnostic-text found)))

      ;; Hover: eglot's eldoc function, on a function without @spec.
      (e2e-goto "create_order(%Order{}")
      (let* ((hover nil)
             (_ (eglot-hover-eldoc-function (lambda (info &rest _) (setq hover (or info 'none)))))
             (info (e2e-wait "the hover answer" (lambda () hover))))
        (when (stringp info) (setq info (substring-no-properties info)))
        (e2e-log "hover: %S" info)
        (e2e-check (and (stringp info) (string-match-p "create_order(" info) (string-match-p "::" info))
                   "hover on create_order shows no spec: %S" info))

      ;; The quick fix, as M-x eglot-code-actions at the finding, picking
      ;; "Remove `IO.inspect`" in the completing-read menu (a keyboard invocation).
      (goto-char (e2e-diag-beg (e2e-diag-at-line "io-inspect" inspect-line)))
      (let* ((offered nil)
             (completing-read-function
              (lambda (_prompt collection &rest _)
                (setq offered (all-completions "" collection))
                "Remove `IO.inspect`"))
             (last-nonmenu-event ?\r))
        (setq before (flymake-diagnostics))
        (e2e-command #'call-interactively #'eglot-code-actions)
        (e2e-log "menu: %S" offered)
        (e2e-check (member "Remove `IO.inspect`" offered) "the menu lacks the fix: %S" offered)
        (e2e-check (member "Disable io-inspect for this line" offered)
                   "the menu lacks the suppression: %S" offered))
      (let ((expected (replace-regexp-in-string "^ *|> IO\\.inspect(label: \"order\")\n" ""
                                                e2e-original t t)))
        (e2e-check (not (equal expected e2e-original)) "the fixture changed: no piped IO.inspect")
        (e2e-check (equal (e2e-text) expected) "after the quick fix the buffer is:\n%s" (e2e-text)))
      (let ((log-line (e2e-line-of "defp log(order)")))
        (e2e-wait "a new report without the fixed io-inspect (one left, in log/1)"
                  (lambda () (and (e2e-fresh-p before)
                                  (equal (mapcar #'car (e2e-with-code "io-inspect" (e2e-diags)))
                                         (list log-line)))))))

    ;; Fix all: @spec stubs and the trailing whitespace, in one code action.
    (setq before (flymake-diagnostics))
    (e2e-command #'call-interactively #'ladder-ls-fix-all)
    (let ((text (e2e-text)))
      (e2e-log "after fix-all:\n%s" text)
      (e2e-check (string-match-p "@spec create_order(" text) "no @spec stub for create_order: %s" text)
      (e2e-check (string-match-p "@spec discount(" text) "no @spec stub for discount: %s" text)
      (e2e-check (not (string-match-p "[ \t]$" text)) "trailing whitespace left: %s" text))
    (e2e-wait "a new report without missing-spec and trailing-whitespace"
              (lambda () (let ((ds (e2e-diags)))
                           (and (e2e-fresh-p before)
                                (e2e-with-code "io-inspect" ds)
                                (null (e2e-with-code "missing-spec" ds))
                                (null (e2e-with-code "trailing-whitespace" ds))))))
    (e2e-log "diagnostics: %S" (e2e-diags))

    ;; The level (what the code lens shows elsewhere), asked right after an edit that
    ;; Eglot has not sent yet: the answer must be for the edited text.
    (e2e-goto "def total(items) do")
    (end-of-line)
    (e2e-command #'insert "   ")
    (let ((level (e2e-command #'ladder-ls-show-level)))
      (e2e-log "level: %S" level)
      ;; The sample project aims at L4: the title counts what blocks it.
      (e2e-check (string-match-p
                  "\\`Ladder L0 → target L4: [0-9]+ blockers? · next: L1 — 1 trailing-whitespace · L0–L3 not verified\\'"
                  (plist-get level :title))
                 "ladder.showLevel answered %S" level))
    ;; Emacs 28's jsonrpc (1.0.14) leaves a notification that arrives in the same read as
    ;; the answer to a synchronous request unprocessed until the server writes again: the
    ;; diagnostics for this edit may sit there, so no flymake check here; the save below
    ;; makes the server write.

    ;; Fix all on save: the trailing whitespace typed above goes before the write.
    (setq ladder-ls-fix-all-on-save t)
    (setq before (flymake-diagnostics))
    (e2e-command #'save-buffer)
    (let ((saved (with-temp-buffer (insert-file-contents (e2e-file)) (buffer-string))))
      (e2e-check (string-match-p "^  def total(items) do\n" saved)
                 "the saved file keeps the trailing whitespace:\n%s" saved)
      (e2e-check (equal saved (e2e-text)) "the saved file differs from the buffer"))
    (e2e-wait "a new report after the save, with only log/1's io-inspect"
              (lambda () (and (e2e-fresh-p before)
                              (equal (mapcar #'cdr (e2e-diags))
                                     (mapcar #'cdr (e2e-with-code "io-inspect" (e2e-diags))))
                              (= 1 (length (e2e-diags))))))
    (e2e-log "fix-all on save removed the trailing whitespace; diagnostics: %S" (e2e-diags))

    ;; Shutdown: `shutdown' is answered (an error response would signal here), `exit'
    ;; sent, and the process ends (jsonrpc deletes it right after `exit').
    (let ((process (jsonrpc--process server)))
      (condition-case err
          (eglot-shutdown server)
        (error (e2e-fail "eglot-shutdown failed: %S" err)))
      (e2e-wait "the server process to exit" (lambda () (not (process-live-p process))))
      (e2e-log "shut down; process %s %s" (process-status process) (process-exit-status process)))))

(defun e2e-eglot-dump ()
  "Eglot's events and stderr buffers, for a failure report."
  (mapconcat (lambda (buffer)
               (with-current-buffer buffer
                 (format "--- %s (last 20000 chars)\n%s\n" (buffer-name)
                         (buffer-substring-no-properties (max (point-min) (- (point-max) 20000))
                                                         (point-max)))))
             (cl-remove-if-not (lambda (b) (string-match-p "EGLOT\\|lsp\\|ladder" (buffer-name b)))
                               (buffer-list))
             ""))

;;; lsp-mode

(defun e2e-lsp-codes (source)
  "The codes of lsp-mode's diagnostics for orders.ex from SOURCE, as (LINE . CODE)."
  (sort (cl-loop for d in (gethash (lsp--fix-path-casing (e2e-file)) (lsp-diagnostics t))
                 when (equal (gethash "source" d) source)
                 collect (cons (1+ (gethash "line" (gethash "start" (gethash "range" d))))
                               (gethash "code" d)))
        (lambda (a b) (< (car a) (car b)))))

(defun e2e-flycheck-errors ()
  "Flycheck's errors in the buffer as (LINE SOURCE . CODE), sorted by line."
  (sort (mapcar (lambda (e) (cons (flycheck-error-line e)
                                  (cons (flycheck-error-group e) (flycheck-error-id e))))
                (bound-and-true-p flycheck-current-errors))
        (lambda (a b) (< (car a) (car b)))))

(defun e2e-fake-elixir-ls ()
  "A bin folder with `language_server.sh' (lsp-mode's ElixirLS command) running
fake_elixir_ls.py, put first on `exec-path'."
  (let* ((python (or (executable-find "python3")
                     (e2e-fail "python3 is missing (the stand-in ElixirLS): run tests/emacs/install.sh")))
         (bin (expand-file-name "fake-bin" (file-name-directory e2e-result)))
         (script (expand-file-name "language_server.sh" bin)))
    (make-directory bin t)
    (with-temp-file script
      (insert (format "#!/bin/sh\nexec %s %s \"$@\"\n" (shell-quote-argument python)
                      (shell-quote-argument (expand-file-name "fake_elixir_ls.py" e2e-dir)))))
    (set-file-modes script #o755)
    (push bin exec-path)
    (setenv "PATH" (concat bin path-separator (getenv "PATH")))))

(defun e2e-lsp-mode ()
  (e2e-use-debian-elpa)
  (unless (locate-library "lsp-mode")
    (e2e-fail "lsp-mode is not installed (no %s/lsp-mode-*): run tests/emacs/install.sh" e2e-elpa))
  (unless (locate-library "flycheck")
    (e2e-fail "flycheck is not installed (no %s/flycheck-*): run tests/emacs/install.sh" e2e-elpa))
  (e2e-fake-elixir-ls)
  ;; Everything lsp-mode writes goes to the scratch folder.
  (let ((scratch (file-name-directory e2e-result)))
    (setq lsp-session-file (expand-file-name "lsp-session" scratch)
          lsp-server-install-dir (expand-file-name "lsp-servers" scratch)))
  (setq lsp-keep-workspace-alive nil
        lsp-enable-snippet nil
        lsp-lens-enable t)
  (require 'lsp-mode)
  (e2e-log "%s" (e2e-library-version "lsp-mode"))
  (setq lsp-elixir-local-server-command "/nonexistent/language_server.sh")
  (e2e-mode)
  (defvar ladder-ls-program)
  (defvar ladder-ls-initialization-options)
  (setq ladder-ls-program e2e-bin
        ladder-ls-initialization-options '(:rules (:doc-without-example "off")))
  (load (expand-file-name "editors/emacs/ladder-ls-lsp-mode.el" e2e-repo) nil t)
  ;; What a user answers to lsp-mode's first "Import project root?" question.
  (lsp-workspace-folders-add e2e-project)

  ;; Visit: elixir-mode-hook runs lsp-deferred, which starts the servers when idle.
  (e2e-command #'find-file (e2e-file))
  (e2e-check (eq major-mode 'elixir-mode) "orders.ex opened in %s" major-mode)
  (setq e2e-original (e2e-text))
  (let* ((ids (e2e-wait "lsp-mode to start elixir-ls and ladder-ls"
                        (lambda ()
                          (let ((ids (sort (mapcar (lambda (w) (symbol-name (lsp--workspace-server-id w)))
                                                   (lsp-workspaces))
                                           #'string<)))
                            (and (equal ids '("elixir-ls" "ladder-ls"))
                                 (cl-every (lambda (w) (eq (lsp--workspace-status w) 'initialized))
                                           (lsp-workspaces))
                                 ids)))))
         (inspect-line (e2e-line-of "|> IO.inspect(label: \"order\")"))
         (log-line (e2e-line-of "defp log(order)")))
    (e2e-log "servers on the buffer: %S" ids)
    ;; Both servers' diagnostics, side by side.
    (let ((codes (e2e-wait "diagnostics from ladder and the stand-in ElixirLS"
                           (lambda () (and (e2e-lsp-codes "ElixirLS")
                                           (rassoc "io-inspect" (e2e-lsp-codes "ladder"))
                                           (e2e-lsp-codes "ladder"))))))
      (e2e-log "ladder diagnostics: %S" codes)
      (e2e-check (equal (mapcar #'car (cl-remove-if-not (lambda (c) (equal (cdr c) "io-inspect")) codes))
                        (list inspect-line log-line))
                 "io-inspect expected on lines %s and %s: %S" inspect-line log-line codes)
      (e2e-check (not (rassoc "doc-without-example" codes))
                 "doc-without-example is off in initializationOptions, yet: %S" codes))
    ;; lsp-mode shows them through flycheck when it is installed (its default), and
    ;; flycheck keeps both servers' diagnostics (flymake does not: lsp-mode#2808).
    (e2e-wait "flycheck to show both servers' diagnostics"
              (lambda () (let ((errors (e2e-flycheck-errors)))
                           (and (assoc "ElixirLS" (mapcar #'cdr errors))
                                (member '("ladder" . "io-inspect") (mapcar #'cdr errors))))))
    (e2e-log "flycheck: %S" (e2e-flycheck-errors))

    ;; Code lens (lsp-lens-enable): ladder's level on the defmodule line.
    (let ((lenses (e2e-wait "the code lens"
                            (lambda ()
                              (cl-loop for ov in (bound-and-true-p lsp-lens--overlays)
                                       for text = (substring-no-properties
                                                   (or (overlay-get ov 'after-string)
                                                       (overlay-get ov 'before-string) ""))
                                       when (string-match-p "Ladder L" text) collect text)))))
      (e2e-log "lens: %S" lenses))

    ;; The quick fix: M-x lsp-execute-code-action on the line, picking the fix.
    (e2e-goto "|> IO.inspect(label:")
    (let* ((offered nil)
           (completing-read-function
            (lambda (_prompt collection &rest _)
              (setq offered (all-completions "" collection))
              (or (cl-find-if (lambda (c) (string-prefix-p "Remove `IO.inspect`" c)) offered)
                  (car offered)))))
      (e2e-command #'call-interactively #'lsp-execute-code-action)
      (e2e-log "menu: %S" offered)
      (e2e-check (cl-find-if (lambda (c) (string-prefix-p "Remove `IO.inspect`" c)) offered)
                 "the menu lacks the fix: %S" offered))
    (let ((expected (replace-regexp-in-string "^ *|> IO\\.inspect(label: \"order\")\n" ""
                                              e2e-original t t)))
      (e2e-check (equal (e2e-text) expected) "after the quick fix the buffer is:\n%s" (e2e-text)))
    (let ((log-line (e2e-line-of "defp log(order)")))
      (e2e-wait "the fixed io-inspect finding to go from flycheck (one left, in log/1)"
                (lambda () (equal (mapcar #'car (cl-remove-if-not
                                                 (lambda (e) (equal (cdr e) '("ladder" . "io-inspect")))
                                                 (e2e-flycheck-errors)))
                                  (list log-line)))))
    (e2e-log "after the fix: %S" (e2e-flycheck-errors))

    ;; Fix all: M-x lsp-execute-code-action-by-kind RET source.fixAll.ladder.
    (e2e-command #'lsp-execute-code-action-by-kind "source.fixAll.ladder")
    (let ((text (e2e-text)))
      (e2e-check (and (string-match-p "@spec create_order(" text) (string-match-p "@spec discount(" text)
                      (not (string-match-p "[ \t]$" text)))
                 "fix-all did not insert the @spec stubs and remove the whitespace:\n%s" text))
    (e2e-wait "missing-spec and trailing-whitespace to go from flycheck"
              (lambda () (let ((codes (mapcar #'cddr (e2e-flycheck-errors))))
                           (and (member "io-inspect" codes)
                                (not (member "missing-spec" codes))
                                (not (member "trailing-whitespace" codes))))))
    (e2e-log "after fix-all: %S" (e2e-flycheck-errors))

    ;; Closing the last buffer shuts both servers down (lsp-keep-workspace-alive nil).
    (let ((processes (mapcar #'lsp--workspace-proc (lsp-workspaces))))
      (set-buffer-modified-p nil)
      (kill-buffer)
      (e2e-wait "both server processes to exit"
                (lambda () (cl-notany #'process-live-p processes)))
      (e2e-log "servers exited: %S" (mapcar #'process-exit-status processes))
      ;; lsp-mode 8.0.0 sends `shutdown' with params {}; ladder-ls must accept it (it
      ;; used to answer -32602, and lsp-mode then timed out and killed it).
      (when (with-current-buffer (messages-buffer)
              (save-excursion (goto-char (point-min))
                              (search-forward "Timeout while sending shutdown request" nil t)))
        (error "A server refused lsp-mode's shutdown request")))))

;;; Main

(defun e2e-write-result (status detail)
  (with-temp-file e2e-result
    (insert (format "%s %s\n\n--- log\n%s\n" status detail
                    (string-join (reverse e2e-log-lines) "\n")))
    (when (equal status "FAIL")
      (let ((buffer (find-buffer-visiting (e2e-file))))
        (when buffer
          (insert (format "--- orders.ex as left\n%s\n--- flymake diagnostics\n%S\n"
                          (with-current-buffer buffer (e2e-text))
                          (with-current-buffer buffer (ignore-errors (e2e-diags)))))))
      (insert (e2e-eglot-dump)))))

(defun e2e-main ()
  (let ((status 1))
    (condition-case err
        (progn
          (dolist (var '("LADDER_LS_BIN" "LADDER_EMACS_PROJECT" "LADDER_EMACS_RESULT"))
            (unless (getenv var) (e2e-fail "%s is not set" var)))
          (e2e-log "%s, client %s, server %s" (emacs-version) e2e-client e2e-bin)
          (pcase e2e-client
            ("eglot" (e2e-eglot))
            ("lsp-mode" (e2e-lsp-mode))
            (_ (e2e-fail "unknown LADDER_EMACS_CLIENT %S" e2e-client)))
          (setq status 0)
          (e2e-write-result "PASS" (format "%s scenario in %.1fs" e2e-client (- (float-time) e2e-started))))
      (e2e-failure (ignore-errors (e2e-write-result "FAIL" (cadr err))))
      (error (ignore-errors (e2e-write-result "FAIL" (format "unexpected error: %S" err)))))
    (kill-emacs status)))

(e2e-main)

;;; e2e.el ends here
