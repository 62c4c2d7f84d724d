defmodule StorefrontWeb.Router do
  use StorefrontWeb, :router

  import StorefrontWeb.CustomerAuth

  pipeline :browser do
    plug :accepts, ["html"]
    plug :fetch_session
    plug :fetch_live_flash
    plug :put_root_layout, html: {StorefrontWeb.Layouts, :root}
    plug :protect_from_forgery

    plug :put_secure_browser_headers, %{
      "content-security-policy" =>
        "default-src 'self'; img-src 'self' data: https://cdn.example.com"
    }

    plug :fetch_current_customer
  end

  pipeline :api do
    plug :accepts, ["json"]
    plug StorefrontWeb.Plugs.RateLimit, limit: 100, period: :timer.minutes(1)
  end

  pipeline :webhooks do
    plug StorefrontWeb.Plugs.PaymentWebhook, path: "/webhooks/payments"
  end

  scope "/", StorefrontWeb do
    pipe_through :browser

    get "/", PageController, :home
    get "/products", ProductController, :index
    get "/products/:slug", ProductController, :show

    live_session :cart, on_mount: [{StorefrontWeb.CustomerAuth, :mount_current_customer}] do
      live "/cart", CartLive, :index
      live "/checkout", CheckoutLive, :index
    end
  end

  scope "/", StorefrontWeb do
    pipe_through [:browser, :require_authenticated_customer]

    resources "/orders", OrderController, only: [:index, :show, :create] do
      post "/cancel", OrderController, :cancel, as: :cancel
      post "/refund", OrderController, :refund, as: :refund
    end

    live_session :account,
      on_mount: [{StorefrontWeb.CustomerAuth, :ensure_authenticated}] do
      live "/account", AccountLive, :edit
      live "/account/addresses", AddressLive.Index, :index
      live "/account/addresses/:id/edit", AddressLive.Index, :edit
    end
  end

  scope "/api/v1", StorefrontWeb.API, as: :api do
    pipe_through :api

    get "/products", ProductController, :index
    get "/products/:id", ProductController, :show
    get "/stock/:sku", StockController, :show
  end

  scope "/webhooks", StorefrontWeb do
    pipe_through :webhooks
    post "/payments", WebhookController, :payments
  end

  if Application.compile_env(:storefront, :dev_routes) do
    import Phoenix.LiveDashboard.Router

    scope "/dev" do
      pipe_through :browser

      live_dashboard "/dashboard", metrics: StorefrontWeb.Telemetry
      forward "/mailbox", Plug.Swoosh.MailboxPreview
    end
  end
end
