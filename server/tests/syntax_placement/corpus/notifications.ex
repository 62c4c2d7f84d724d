defprotocol Storefront.Notifications.Renderable do
  @moduledoc "Anything that can be sent to a customer as a notification."
  @fallback_to_any true

  @doc "Subject line and body."
  @spec render(t(), String.t()) :: {String.t(), String.t()}
  def render(item, locale)
end

defimpl Storefront.Notifications.Renderable, for: Storefront.Orders.Order do
  def render(order, "fr"), do: {"Commande #{order.number}", "Merci pour votre commande !"}
  def render(order, _locale), do: {"Order #{order.number}", "Thank you for your order!"}
end

defimpl Storefront.Notifications.Renderable, for: Any do
  def render(item, _locale), do: {"Update", inspect(item, pretty: true, limit: 20)}
end

defmodule Storefront.Notifications do
  @moduledoc """
  Sends notifications by email or push, with retries and a per-customer rate limit.
  """
  require Logger

  alias Storefront.Notifications.Renderable

  @max_per_hour 10
  @retry_delays [100, 500, 2_000]

  defmacro with_timing(label, do: block) do
    quote do
      started = System.monotonic_time(:microsecond)
      result = unquote(block)
      elapsed = System.monotonic_time(:microsecond) - started
      Logger.debug("#{unquote(label)} took #{elapsed} µs")
      result
    end
  end

  def deliver(customer, item, opts \\ []) do
    channel = Keyword.get(opts, :channel, preferred_channel(customer))

    cond do
      not customer.notifications_enabled ->
        {:error, :disabled}

      over_limit?(customer) ->
        {:error, :rate_limited}

      true ->
        {subject, body} = Renderable.render(item, customer.locale)
        send_with_retries(channel, customer, subject, body, @retry_delays)
    end
  end

  defp preferred_channel(%{push_token: token}) when is_binary(token) and token != "", do: :push
  defp preferred_channel(_customer), do: :email

  defp over_limit?(customer) do
    key = {:notifications, customer.id, div(System.system_time(:second), 3600)}
    count = :ets.update_counter(:rate_limits, key, {2, 1}, {key, 0})
    count > @max_per_hour
  rescue
    ArgumentError ->
      Logger.warning("rate limit table missing; allowing notification")
      false
  end

  defp send_with_retries(channel, customer, subject, body, delays) do
    result =
      try do
        with_timing "send #{channel}" do
          send_now(channel, customer, subject, body)
        end
      rescue
        e in [RuntimeError, ArgumentError] ->
          {:error, Exception.message(e)}
      catch
        :exit, {:timeout, _} -> {:error, :timeout}
        kind, reason -> {:error, {kind, reason}}
      after
        :telemetry.execute([:storefront, :notification, :attempt], %{count: 1}, %{
          channel: channel
        })
      end

    case {result, delays} do
      {:ok, _} ->
        :ok

      {{:error, reason}, []} ->
        Logger.error("giving up on notification to #{customer.id}: #{inspect(reason)}")
        {:error, reason}

      {{:error, _}, [delay | rest]} ->
        Process.sleep(delay)
        send_with_retries(channel, customer, subject, body, rest)
    end
  end

  defp send_now(:email, customer, subject, body) do
    Storefront.Mailer.deliver(%{to: customer.email, subject: subject, text_body: body})
    :ok
  end

  defp send_now(:push, customer, subject, body) do
    ref = make_ref()
    parent = self()

    pid =
      spawn(fn ->
        send(parent, {ref, Storefront.Push.send(customer.push_token, subject, body)})
      end)

    receive do
      {^ref, :ok} ->
        :ok

      {^ref, {:error, reason}} ->
        {:error, reason}
    after
      5_000 ->
        Process.exit(pid, :kill)
        {:error, :timeout}
    end
  end

  def digest(items) when is_list(items) do
    items
    |> Enum.group_by(fn
      %Storefront.Orders.Order{} -> :orders
      %{__struct__: module} -> module
      _other -> :other
    end)
    |> Enum.map(fn {group, list} ->
      unless list == [] do
        "#{group}: #{length(list)}"
      end
    end)
    |> Enum.reject(&is_nil/1)
    |> Enum.join("\n")
  end
end
