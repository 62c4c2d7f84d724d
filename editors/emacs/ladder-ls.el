;;; ladder-ls.el --- ladder-ls (Elixir production-readiness linter) through Eglot  -*- lexical-binding: t; -*-

;; Copy this file into your init file, or put it on `load-path' and
;; (require 'ladder-ls).  It needs Eglot: built into Emacs 29 and later;
;; on Emacs 28, `M-x package-install RET eglot' (GNU ELPA) or Debian's
;; `elpa-eglot'.  Tested end to end with Emacs 28.2 + Eglot 1.9
;; (tests/emacs/e2e.el in the ladder-ls repository).
;;
;; Elixir buffers need a major mode: `elixir-mode' (MELPA package
;; `elixir-mode') or `elixir-ts-mode' (Emacs 30+, needs the Elixir
;; tree-sitter grammar).
;;
;; Eglot manages each buffer with ONE server, chosen from
;; `eglot-server-programs' by major mode.  This file makes that server
;; ladder-ls for Elixir buffers, which replaces ElixirLS / Expert /
;; Lexical there.  To keep both, see "Beside ElixirLS" in README.md
;; (a multiplexer such as rassumfrassum, or lsp-mode).

;;; Code:

(require 'eglot)
(require 'project)
(require 'subr-x)

(defgroup ladder-ls nil
  "ladder-ls: how production-ready is this Elixir code."
  :group 'tools
  :prefix "ladder-ls-")

(defcustom ladder-ls-program "ladder-ls"
  "The ladder-ls executable: a name on `exec-path', or an absolute file name."
  :type 'string)

(defcustom ladder-ls-initialization-options nil
  "Plist sent to the server as `initializationOptions' when it starts.
For example:

  (:targetLevel 4
   :rules (:io-inspect \"off\" :line-too-long (:severity \"info\" :max 120))
   :mix (:enabled t :env \"test\"))

Use `:json-false' for JSON false, e.g. (:mix (:enabled :json-false)).
The project's .ladder.exs wins for rules and the target level; this wins
for `mix.enabled'.  Changes apply when the server (re)starts:
\\[eglot-reconnect]."
  :type 'sexp)

(defcustom ladder-ls-fix-all-on-save nil
  "When non-nil, apply every safe ladder fix before saving an Elixir buffer."
  :type 'boolean)

(defconst ladder-ls-fix-all-kind "source.fixAll.ladder"
  "The code action kind of ladder's \"fix all safe findings\".")

(defconst ladder-ls-major-modes '(elixir-mode elixir-ts-mode)
  "Major modes whose buffers ladder-ls manages.")

(defun ladder-ls-eglot-contact (&optional _interactive _project)
  "The Eglot contact of ladder-ls (see `eglot-server-programs').
A function, so `ladder-ls-program' and `ladder-ls-initialization-options'
are read each time a server starts."
  `(,ladder-ls-program :initializationOptions ,ladder-ls-initialization-options))

;; `add-to-list' puts this entry first, ahead of Eglot's own entry for
;; `elixir-mode' (ElixirLS's language_server.sh).
(add-to-list 'eglot-server-programs
             (cons ladder-ls-major-modes #'ladder-ls-eglot-contact))

;; Start ladder-ls when an Elixir file is visited.
(dolist (mode ladder-ls-major-modes)
  (add-hook (intern (format "%s-hook" mode)) #'eglot-ensure))

;; The project root (where .ladder.exs is read) is Emacs's project: the
;; version-control root.  A Mix project outside version control would get
;; the file's own folder instead; this makes it the nearest folder with a
;; mix.exs.  It runs after `project-try-vc', so Git projects are unchanged.
(defun ladder-ls-project-try-mix (dir)
  "A transient project at the nearest folder above DIR holding mix.exs."
  (when-let ((root (locate-dominating-file dir "mix.exs")))
    (cons 'transient (expand-file-name root))))

(add-hook 'project-find-functions #'ladder-ls-project-try-mix 90)

(defun ladder-ls-fix-all (&optional quiet)
  "Apply every safe ladder fix in the buffer (code action `source.fixAll.ladder').
Says so when there is nothing to fix, unless QUIET."
  (interactive)
  (if (eglot-code-actions (point-min) (point-max) ladder-ls-fix-all-kind)
      ;; With an action kind and a single action, Eglot applies it
      ;; without a menu.
      (eglot-code-actions (point-min) (point-max) ladder-ls-fix-all-kind t)
    (unless quiet (message "ladder-ls: nothing to fix"))))

(defun ladder-ls--fix-all-before-save ()
  "Run `ladder-ls-fix-all' when `ladder-ls-fix-all-on-save' is set."
  (when (and ladder-ls-fix-all-on-save
             (apply #'derived-mode-p ladder-ls-major-modes)
             (eglot-current-server))
    (condition-case err
        (ladder-ls-fix-all 'quiet)
      (error (message "ladder-ls: fix all on save failed: %s"
                      (error-message-string err))))))

(defun ladder-ls--managed ()
  "Set up an Eglot-managed buffer (or undo that when Eglot lets it go)."
  (if (eglot-managed-p)
      (add-hook 'before-save-hook #'ladder-ls--fix-all-before-save nil t)
    (remove-hook 'before-save-hook #'ladder-ls--fix-all-before-save t)))

(add-hook 'eglot-managed-mode-hook #'ladder-ls--managed)

(defun ladder-ls-show-level ()
  "Show the current file's ladder level and what blocks the next one.
What the code lens on each defmodule shows in other editors (Eglot
does not display code lenses)."
  (interactive)
  (let* ((server (or (eglot-current-server)
                     (user-error "ladder-ls: no Eglot server for this buffer")))
         (file (or buffer-file-name (user-error "ladder-ls: buffer has no file")))
         (uri (if (fboundp 'eglot-path-to-uri)
                  (eglot-path-to-uri file)
                (with-no-warnings (eglot--path-to-uri file))))
         ;; Deferred: Eglot first sends the edits it has not sent yet.
         (result (jsonrpc-request server :workspace/executeCommand
                                  `(:command "ladder.showLevel"
                                    :arguments [,uri (:notify :json-false)])
                                  :deferred t)))
    (message "%s" (plist-get result :title))
    result))

(provide 'ladder-ls)
;;; ladder-ls.el ends here
