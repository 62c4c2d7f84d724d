//! Building the index: which files belong to it, and reading them in parallel.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::syntax::SyntaxTree as Tree;
use ropey::Rope;

use super::facts;
use super::index::{IndexedFile, ProjectIndex};
use crate::config::Config;
use crate::lint::{FileInfo, LintContext};
use crate::workspace;

/// The Mix project of a file (for an umbrella app, the app) and the umbrella holding it (the
/// project itself when it is not in one).
pub fn roots_of(path: &Path) -> Option<(PathBuf, PathBuf)> {
    let app = workspace::project_root(path)?;
    let umbrella = app
        .parent()
        .filter(|p| p.file_name().is_some_and(|n| n == "apps"))
        .and_then(Path::parent)
        .filter(|u| u.join("mix.exs").is_file())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| app.clone());
    Some((app, umbrella))
}

/// The facts of a parsed file, with where it sits; `None` for a file outside any Mix project.
pub fn index_parsed(path: &Path, source: &str, rope: &Rope, tree: &Tree) -> Option<IndexedFile> {
    let (app, umbrella) = roots_of(path)?;
    let project_rel = workspace::relative_slash(path, &app);
    Some(index_tree(app, umbrella, project_rel, source, rope, tree))
}

/// The facts of a parsed file at `project_rel` in `app` (no file system access).
pub fn index_tree(
    app: PathBuf,
    umbrella: PathBuf,
    project_rel: String,
    source: &str,
    rope: &Rope,
    tree: &Tree,
) -> IndexedFile {
    let info = FileInfo {
        display: project_rel.clone(),
        project_rel: project_rel.clone(),
        root: Some(app.clone()),
    };
    let config = Config::default();
    let ctx = LintContext::new(source, rope, tree, &info, &config);
    IndexedFile {
        app,
        umbrella,
        project_rel,
        facts: std::sync::Arc::new(facts::extract(&ctx)),
    }
}

/// A complete index of in-memory files of one project at `/app` (for tests): `(project_rel,
/// source)` pairs.
pub fn index_sources(files: &[(&str, &str)]) -> ProjectIndex {
    let app = PathBuf::from("/app");
    let map = files
        .iter()
        .map(|(rel, src)| {
            let doc = crate::document::Document::new(src, 0);
            let file = index_tree(
                app.clone(),
                app.clone(),
                rel.to_string(),
                src,
                doc.rope(),
                doc.tree(),
            );
            (app.join(rel), file)
        })
        .collect();
    ProjectIndex::from_files(map, true)
}

/// Reads, parses and indexes one file from disk; `None` when unreadable, not UTF-8 or outside
/// a project.
pub fn index_path(path: &Path, parser: &mut tree_sitter::Parser) -> Option<IndexedFile> {
    let text = std::fs::read_to_string(path).ok()?;
    let (app, umbrella) = roots_of(path)?;
    let project_rel = workspace::relative_slash(path, &app);
    if super::index::is_test_file(&project_rel) {
        // Test files contribute the modules they name, which their tokens tell: no parse.
        return Some(IndexedFile {
            app,
            umbrella,
            project_rel,
            facts: std::sync::Arc::new(facts::test_file(&text)),
        });
    }
    index_text(app, umbrella, project_rel, &text, parser)
}

/// Parses and indexes the text of a file that is not a test file.
fn index_text(
    app: PathBuf,
    umbrella: PathBuf,
    project_rel: String,
    text: &str,
    parser: &mut tree_sitter::Parser,
) -> Option<IndexedFile> {
    let tree = Tree::new(&parser.parse(text, None)?, text);
    let rope = Rope::from_str(text);
    Some(index_tree(app, umbrella, project_rel, text, &rope, &tree))
}

/// Every lintable file of the umbrellas (or lone projects) holding `files`: what the index of a
/// check of `files` must read, so that a rule sees the whole project even when one file is
/// checked.
pub fn project_files(files: &[PathBuf]) -> Vec<PathBuf> {
    let mut umbrellas: Vec<PathBuf> = files
        .iter()
        .filter_map(|f| roots_of(f).map(|(_, u)| u))
        .collect();
    umbrellas.sort();
    umbrellas.dedup();
    // A nested project inside another listed one is walked with it.
    let outer: Vec<PathBuf> = umbrellas
        .iter()
        .filter(|u| !umbrellas.iter().any(|o| o != *u && u.starts_with(o)))
        .cloned()
        .collect();
    workspace::collect_files(&outer).unwrap_or_default()
}

/// Indexes `paths` on every core; the result is complete (it holds whole projects).
pub fn build(paths: &[PathBuf]) -> ProjectIndex {
    build_deferring(paths, &|| {})
}

/// [`build`], calling `defer` before each file: the server's background index lets open
/// documents' lints go first there.
pub fn build_deferring(paths: &[PathBuf], defer: &(dyn Fn() + Sync)) -> ProjectIndex {
    build_with(paths, defer, index_path)
}

/// Indexes `paths` on every core for a lint of the files in `linted`, which will give their
/// exact facts themselves: those are read from their tokens
/// ([`super::token_facts::file_facts`]) unless tokens cannot tell
/// ([`super::token_facts::needs_parse`]); every other file is parsed. Complete, like [`build`];
/// exact for every file not in `linted`.
pub fn build_for_lint(
    paths: &[PathBuf],
    linted: &std::collections::HashSet<PathBuf>,
) -> ProjectIndex {
    build_for_lint_keeping(paths, linted).0
}

/// What [`build_for_lint_keeping`] read of the linted files, by path: the tree of a file it
/// parsed, or the syntax scanner's problems of a file it tokenized. The lint of such a file
/// takes them from here instead of parsing or tokenizing the file again.
#[derive(Default)]
pub struct ParsedTexts(Mutex<HashMap<PathBuf, Kept>>);

/// What the index kept of one file.
struct Kept {
    /// The text it read.
    text: String,
    /// Its parse, when the index parsed it.
    tree: Option<Tree>,
    /// [`crate::syntax::scanner::problems`] of the text, when the index tokenized it.
    problems: Option<Vec<crate::syntax::scanner::Problem>>,
}

impl ParsedTexts {
    /// The tree and the scanner problems kept for `path`, when they were read from exactly
    /// `text` (the file may have changed since the index read it), handed over once.
    pub fn take(
        &self,
        path: &Path,
        text: &str,
    ) -> (Option<Tree>, Option<Vec<crate::syntax::scanner::Problem>>) {
        let kept = self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(path);
        match kept {
            Some(kept) if kept.text == text => (kept.tree, kept.problems),
            _ => (None, None),
        }
    }

    fn keep(&self, path: &Path, kept: Kept) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_path_buf(), kept);
    }
}

/// [`build_for_lint`], keeping the trees of the linted files it parsed (those tokens cannot
/// tell the facts of): their lint would otherwise parse them a second time.
pub fn build_for_lint_keeping(
    paths: &[PathBuf],
    linted: &std::collections::HashSet<PathBuf>,
) -> (ProjectIndex, ParsedTexts) {
    let parsed = ParsedTexts::default();
    let index = build_with(paths, &|| {}, |path, parser| {
        if !linted.contains(path) {
            return index_path(path, parser);
        }
        let text = std::fs::read_to_string(path).ok()?;
        let (app, umbrella) = roots_of(path)?;
        let project_rel = workspace::relative_slash(path, &app);
        if !super::index::is_test_file(&project_rel)
            && super::token_facts::needs_parse(&project_rel, &text)
        {
            // As `index_text`, keeping the tree.
            let tree = Tree::new(&parser.parse(&text, None)?, &text);
            let rope = Rope::from_str(&text);
            let file = index_tree(app, umbrella, project_rel, &text, &rope, &tree);
            parsed.keep(
                path,
                Kept {
                    text,
                    tree: Some(tree),
                    problems: None,
                },
            );
            return Some(file);
        }
        // One tokenizing serves the facts and the lint's syntax scan.
        let tokens = crate::syntax::scanner::tokens::tokenize(&text);
        let facts = super::token_facts::file_facts_in(&project_rel, &text, &tokens.tokens);
        let problems = crate::syntax::scanner::problems_in(&text, &tokens);
        drop(tokens);
        parsed.keep(
            path,
            Kept {
                text,
                tree: None,
                problems: Some(problems),
            },
        );
        Some(IndexedFile {
            app,
            umbrella,
            project_rel,
            facts: std::sync::Arc::new(facts),
        })
    });
    (index, parsed)
}

fn build_with(
    paths: &[PathBuf],
    defer: &(dyn Fn() + Sync),
    index: impl Fn(&Path, &mut tree_sitter::Parser) -> Option<IndexedFile> + Sync,
) -> ProjectIndex {
    let next = AtomicUsize::new(0);
    let out = Mutex::new(HashMap::with_capacity(paths.len()));
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(paths.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let mut parser = crate::syntax::new_parser();
                let mut local = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = paths.get(i) else { break };
                    defer();
                    if let Some(file) = index(path, &mut parser) {
                        local.push((path.clone(), file));
                    }
                }
                out.lock().unwrap_or_else(|e| e.into_inner()).extend(local);
            });
        }
    });
    ProjectIndex::from_files(out.into_inner().unwrap_or_else(|e| e.into_inner()), true)
}
