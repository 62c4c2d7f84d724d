;;; ladder-ls-lsp-mode.el --- ladder-ls beside ElixirLS, with lsp-mode  -*- lexical-binding: t; -*-

;; For lsp-mode users, instead of ladder-ls.el (which is for Eglot).
;; `:add-on? t' makes lsp-mode start ladder-ls in addition to the
;; Elixir server it picks (its built-in `elixir-ls' client), on the same
;; buffers.  Tested with Emacs 28.2 + lsp-mode 8.0.0 (Debian elpa-lsp-mode),
;; beside a stand-in ElixirLS: tests/emacs/e2e.el in the ladder-ls repository.

;;; Code:

(require 'lsp-mode)

(defvar ladder-ls-program "ladder-ls"
  "The ladder-ls executable: a name on `exec-path', or an absolute file name.")

(defvar ladder-ls-initialization-options nil
  "Plist sent as `initializationOptions', e.g. (:targetLevel 4 :mix (:enabled t)).")

(add-to-list 'lsp-language-id-configuration '(elixir-ts-mode . "elixir"))

(lsp-register-client
 (make-lsp-client
  :new-connection (lsp-stdio-connection (lambda () (list ladder-ls-program)))
  :activation-fn (lsp-activate-on "elixir")
  :add-on? t
  :priority -2
  :server-id 'ladder-ls
  :initialization-options (lambda () ladder-ls-initialization-options)))

(add-hook 'elixir-mode-hook #'lsp-deferred)
(add-hook 'elixir-ts-mode-hook #'lsp-deferred)

(provide 'ladder-ls-lsp-mode)
;;; ladder-ls-lsp-mode.el ends here
