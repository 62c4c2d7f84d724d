//! The readers of `.ladder.exs`, `.credo.exs` and `.sobelow-conf` on arbitrary text (each
//! input goes through all three). Checks: no panic; `.ladder.exs` errors point inside the
//! text on char boundaries (they become diagnostics); the resulting configuration answers every
//! question the linter asks of it (globs, targets, enabled rules, options); and when the file
//! sets rule options, a sample file lints under that configuration without panicking (rules
//! read those options: `max: -1`, `max: 0` and huge integers must not break them).

#![no_main]

use ladder_ls::config::{Config, parse_config, parse_credo_conf, parse_sobelow_conf};
use ladder_ls::lint::{self, FileInfo, registry};
use libfuzzer_sys::fuzz_target;

const PATHS: &[&str] = &[
    "lib/shop/orders.ex",
    "lib/shop_web/controllers/order_controller.ex",
    "test/shop/orders_test.exs",
    "priv/repo/migrations/20240101120000_create_orders.exs",
    "config/config.exs",
    "mix.exs",
    "",
    "lib/ünïcödé/ß.ex",
];

/// Code that rules with options look at: nesting, arity, function length, numbers, line
/// length, complexity, pipes.
const SAMPLE: &str = r#"defmodule Shop.Orders do
  @moduledoc "Orders."
  def total(items, a, b, c, d, e, f, g) do
    if a do
      if b do
        case c do
          1 -> if d, do: e, else: f
          _ -> Enum.reduce(items, 0, fn x, acc -> x + acc + 1_000_000 + 123456789 end)
        end
      end
    end
    |> Enum.map(& &1)
    |> Enum.filter(& &1)
    |> Enum.count()
    |> then(fn n -> n * g end) # a long comment to reach a long line length with enough characters
  end
end
"#;

/// Asks the configuration everything the linter asks, and lints the sample when rules have
/// options (the only way configuration values reach rule code).
fn exercise(config: &Config) {
    for path in PATHS {
        let _ = config.is_excluded(path);
        let level = config.target_for(path);
        assert!(level <= 7, "target level {level} for {path}");
        for rule in registry::RULES {
            let code = rule.meta.code;
            let _ = config.rule_enabled_in(code, path);
        }
    }
    let has_options =
        config.rules.values().any(|r| !r.options.is_empty()) || !config.credo.options.is_empty();
    if has_options {
        for rule in registry::RULES {
            let _ = config.rule_int(rule.meta.code, "max");
        }
        let _ = lint::lint_source(SAMPLE, &FileInfo::new("lib/shop/orders.ex"), config);
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);

    let (config, errors) = parse_config(&text);
    for e in &errors {
        assert!(
            e.range.start <= e.range.end
                && e.range.end <= text.len()
                && text.is_char_boundary(e.range.start)
                && text.is_char_boundary(e.range.end),
            "error range {:?} ({}) outside {text:?}",
            e.range,
            e.message
        );
    }
    exercise(&config);

    if let Ok(credo) = parse_credo_conf(&text) {
        let mut config = Config::default();
        config.credo = credo.resolve(registry::RULES);
        exercise(&config);
    }

    if let Ok(sobelow) = parse_sobelow_conf(&text) {
        let mut config = Config::default();
        config.sobelow = sobelow.resolve(registry::RULES);
        exercise(&config);
    }
});
