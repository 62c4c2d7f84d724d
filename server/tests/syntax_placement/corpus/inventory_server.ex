defmodule Storefront.Inventory.Server do
  @moduledoc """
  Keeps stock levels in memory and reserves items for orders.

  Reservations expire after `:reservation_ttl` milliseconds unless confirmed:

      {:ok, ref} = Server.reserve(server, [{"SKU-1", 2}])
      :ok = Server.confirm(server, ref)
  """
  use GenServer

  require Logger

  alias Storefront.Inventory.{Stock, Reservation}

  @default_ttl :timer.minutes(15)
  @sweep_every :timer.seconds(30)

  @type sku :: String.t()
  @type quantity :: pos_integer()
  @type state :: %{
          stock: %{sku() => non_neg_integer()},
          reservations: %{reference() => Reservation.t()},
          ttl: pos_integer()
        }

  ## Client

  @spec start_link(keyword()) :: GenServer.on_start()
  def start_link(opts) do
    {name, opts} = Keyword.pop(opts, :name, __MODULE__)
    GenServer.start_link(__MODULE__, opts, name: name)
  end

  @spec reserve(GenServer.server(), [{sku(), quantity()}]) ::
          {:ok, reference()} | {:error, {:out_of_stock, [sku()]}}
  def reserve(server \\ __MODULE__, items) do
    GenServer.call(server, {:reserve, items})
  end

  @spec confirm(GenServer.server(), reference()) :: :ok | {:error, :unknown_reservation}
  def confirm(server \\ __MODULE__, ref), do: GenServer.call(server, {:confirm, ref})

  @spec release(GenServer.server(), reference()) :: :ok
  def release(server \\ __MODULE__, ref), do: GenServer.cast(server, {:release, ref})

  @spec available(GenServer.server(), sku()) :: non_neg_integer()
  def available(server \\ __MODULE__, sku) do
    GenServer.call(server, {:available, sku})
  end

  ## Server

  @impl true
  def init(opts) do
    ttl = Keyword.get(opts, :reservation_ttl, @default_ttl)
    stock = opts |> Keyword.get(:stock, []) |> Map.new()
    schedule_sweep()
    {:ok, %{stock: stock, reservations: %{}, ttl: ttl}}
  end

  @impl true
  def handle_call({:reserve, items}, _from, state) do
    case missing(items, state.stock) do
      [] ->
        ref = make_ref()

        reservation = %Reservation{
          ref: ref,
          items: items,
          expires_at: System.monotonic_time(:millisecond) + state.ttl
        }

        stock =
          Enum.reduce(items, state.stock, fn {sku, quantity}, stock ->
            Map.update!(stock, sku, &(&1 - quantity))
          end)

        state = %{
          state
          | stock: stock,
            reservations: Map.put(state.reservations, ref, reservation)
        }

        {:reply, {:ok, ref}, state}

      skus ->
        {:reply, {:error, {:out_of_stock, skus}}, state}
    end
  end

  def handle_call({:confirm, ref}, _from, state) do
    case Map.pop(state.reservations, ref) do
      {nil, _} ->
        {:reply, {:error, :unknown_reservation}, state}

      {%Reservation{items: items}, reservations} ->
        Logger.debug(fn -> "confirmed reservation with #{length(items)} items" end)
        {:reply, :ok, %{state | reservations: reservations}}
    end
  end

  def handle_call({:available, sku}, _from, state) do
    {:reply, Map.get(state.stock, sku, 0), state}
  end

  @impl true
  def handle_cast({:release, ref}, state) do
    {:noreply, put_back(state, ref)}
  end

  @impl true
  def handle_info(:sweep, state) do
    now = System.monotonic_time(:millisecond)

    expired =
      for {ref, %Reservation{expires_at: at}} <- state.reservations, at <= now do
        ref
      end

    if expired != [] do
      Logger.info("releasing #{length(expired)} expired reservations")
    end

    state = Enum.reduce(expired, state, &put_back(&2, &1))
    schedule_sweep()
    {:noreply, state}
  end

  def handle_info({:restock, sku, quantity}, state) when quantity > 0 do
    {:noreply, update_in(state.stock[sku], &((&1 || 0) + quantity))}
  end

  def handle_info(message, state) do
    Logger.warning("unexpected message: #{inspect(message)}")
    {:noreply, state}
  end

  defp missing(items, stock) do
    items
    |> Enum.filter(fn {sku, quantity} -> Map.get(stock, sku, 0) < quantity end)
    |> Enum.map(&elem(&1, 0))
  end

  defp put_back(state, ref) do
    case Map.pop(state.reservations, ref) do
      {nil, _} ->
        state

      {%Reservation{items: items}, reservations} ->
        stock =
          Enum.reduce(items, state.stock, fn {sku, quantity}, stock ->
            Map.update(stock, sku, quantity, &(&1 + quantity))
          end)

        %{state | stock: stock, reservations: reservations}
    end
  end

  defp schedule_sweep do
    Process.send_after(self(), :sweep, @sweep_every)
  end

  @doc false
  def stock_from_rows(rows) do
    for %Stock{sku: sku, on_hand: on_hand, held: held} <- rows,
        on_hand - held > 0,
        into: %{} do
      {sku, on_hand - held}
    end
  end
end
