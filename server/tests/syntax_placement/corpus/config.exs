import Config

config :storefront,
  ecto_repos: [Storefront.Repo],
  generators: [timestamp_type: :utc_datetime]

config :storefront, StorefrontWeb.Endpoint,
  url: [host: "localhost"],
  adapter: Bandit.PhoenixAdapter,
  render_errors: [
    formats: [html: StorefrontWeb.ErrorHTML, json: StorefrontWeb.ErrorJSON],
    layout: false
  ],
  pubsub_server: Storefront.PubSub,
  live_view: [signing_salt: "Qx3vY1mT"]

config :storefront, Storefront.Mailer, adapter: Swoosh.Adapters.Local

config :storefront, Oban,
  repo: Storefront.Repo,
  queues: [default: 10, sync: 2, mailers: 5],
  plugins: [
    {Oban.Plugins.Pruner, max_age: 7 * 24 * 60 * 60},
    {Oban.Plugins.Cron,
     crontab: [
       {"0 * * * *", Storefront.Workers.SupplierSync, args: %{"supplier_id" => 1}},
       {"@daily", Storefront.Workers.Cleanup}
     ]}
  ]

config :esbuild,
  version: "0.17.11",
  storefront: [
    args: ~w(js/app.js --bundle --target=es2017 --outdir=../priv/static/assets),
    cd: Path.expand("../assets", __DIR__),
    env: %{"NODE_PATH" => Path.expand("../deps", __DIR__)}
  ]

config :logger, :console,
  format: "$time $metadata[$level] $message\n",
  metadata: [:request_id, :supplier, :attempt]

config :phoenix, :json_library, Jason

import_config "#{config_env()}.exs"
