defmodule StorefrontWeb.Plugs.PaymentWebhook do
  @moduledoc """
  Verifies and decodes payment provider webhooks before they reach the router.

  The provider signs the raw body with HMAC-SHA256; the signature header looks like
  `t=1700000000,v1=5257a869e7…`.
  """
  @behaviour Plug

  import Plug.Conn

  require Logger

  @tolerance_seconds 300
  @header "payment-signature"

  @impl true
  def init(opts) do
    %{
      path: Keyword.fetch!(opts, :path),
      secret:
        Keyword.get_lazy(opts, :secret, fn ->
          Application.fetch_env!(:storefront, :webhook_secret)
        end),
      handler: Keyword.get(opts, :handler, Storefront.Payments.Webhooks)
    }
  end

  @impl true
  def call(%Plug.Conn{request_path: path} = conn, %{path: path} = opts) do
    with {:ok, body, conn} <- read_body(conn, length: 1_000_000),
         [header] <- get_req_header(conn, @header),
         {:ok, timestamp, signatures} <- parse_header(header),
         :ok <- check_timestamp(timestamp),
         :ok <- check_signature(body, timestamp, signatures, opts.secret),
         {:ok, event} <- Jason.decode(body) do
      opts.handler.handle(event)

      conn
      |> send_resp(200, "ok")
      |> halt()
    else
      [] -> reject(conn, "missing signature")
      {:error, :stale} -> reject(conn, "timestamp outside tolerance")
      {:error, :bad_signature} -> reject(conn, "signature mismatch")
      {:error, %Jason.DecodeError{}} -> reject(conn, "invalid JSON")
      {:more, _, conn} -> reject(conn, "body too large")
      other -> reject(conn, "invalid webhook: #{inspect(other)}")
    end
  end

  def call(conn, _opts), do: conn

  defp parse_header(header) do
    parts =
      header
      |> String.split(",", trim: true)
      |> Enum.map(&String.split(&1, "=", parts: 2))

    timestamp =
      Enum.find_value(parts, fn
        ["t", value] -> value
        _ -> nil
      end)

    signatures = for ["v1", value] <- parts, do: value

    case {timestamp, signatures} do
      {nil, _} -> {:error, :bad_header}
      {_, []} -> {:error, :bad_header}
      {t, sigs} -> {:ok, String.to_integer(t), sigs}
    end
  end

  defp check_timestamp(timestamp) do
    now = System.system_time(:second)

    if abs(now - timestamp) <= @tolerance_seconds do
      :ok
    else
      {:error, :stale}
    end
  end

  defp check_signature(body, timestamp, signatures, secret) do
    expected =
      :crypto.mac(:hmac, :sha256, secret, "#{timestamp}.#{body}")
      |> Base.encode16(case: :lower)

    if Enum.any?(signatures, &Plug.Crypto.secure_compare(&1, expected)) do
      :ok
    else
      {:error, :bad_signature}
    end
  end

  defp reject(conn, reason) do
    Logger.warning("payment webhook rejected: #{reason}")

    conn
    |> put_resp_content_type("application/json")
    |> send_resp(400, Jason.encode!(%{error: reason}))
    |> halt()
  end

  @doc false
  def sign(body, secret, timestamp \\ System.system_time(:second)) do
    signature =
      :hmac
      |> :crypto.mac(:sha256, secret, <<Integer.to_string(timestamp)::binary, ?., body::binary>>)
      |> Base.encode16(case: :lower)

    "t=#{timestamp},v1=#{signature}"
  end
end
