defmodule Storefront.Workers.SupplierSync do
  @moduledoc """
  Pulls stock levels from suppliers every hour and applies them.

  Suppliers answer in one of two formats: JSON, or the fixed-width text format of older
  warehouses, where each record is 32 bytes:

      <<sku::binary-size(16), on_hand::binary-size(8), held::binary-size(8)>>
  """
  use Oban.Worker,
    queue: :sync,
    max_attempts: 5,
    unique: [period: 300, fields: [:args, :worker]]

  require Logger

  alias Storefront.{Repo, Suppliers}
  alias Storefront.Catalog.Variant
  alias Storefront.Inventory.Stock

  import Ecto.Query, only: [from: 2]

  @record_size 32
  @timeout :timer.seconds(20)

  @impl Oban.Worker
  def perform(%Oban.Job{args: %{"supplier_id" => supplier_id}, attempt: attempt}) do
    supplier = Suppliers.get!(supplier_id)
    Logger.metadata(supplier: supplier.code, attempt: attempt)

    with {:ok, body, format} <- fetch(supplier),
         {:ok, records} <- decode(body, format),
         {:ok, count} <- apply_records(supplier, records) do
      Logger.info("synced #{count} stock records")
      :ok
    else
      {:error, :timeout} when attempt < 5 ->
        {:snooze, 60 * attempt}

      {:error, reason} ->
        Logger.error("sync failed: #{inspect(reason)}")
        {:error, reason}
    end
  end

  def perform(%Oban.Job{args: args}) do
    {:discard, "missing supplier_id in #{inspect(args)}"}
  end

  @impl Oban.Worker
  def timeout(_job), do: @timeout * 2

  defp fetch(%{endpoint: endpoint, api_key: key, format: format}) do
    headers = [{"authorization", "Bearer " <> key}, {"accept", accept(format)}]

    case Req.get(endpoint, headers: headers, receive_timeout: @timeout, retry: false) do
      {:ok, %Req.Response{status: 200, body: body}} -> {:ok, body, format}
      {:ok, %Req.Response{status: status}} -> {:error, {:http_status, status}}
      {:error, %Req.TransportError{reason: :timeout}} -> {:error, :timeout}
      {:error, exception} -> {:error, Exception.message(exception)}
    end
  end

  defp accept(:json), do: "application/json"
  defp accept(:fixed_width), do: "text/plain"

  @doc false
  def decode(body, :json) when is_list(body) do
    records =
      for %{"sku" => sku, "on_hand" => on_hand} = item <- body do
        %{sku: sku, on_hand: on_hand, held: Map.get(item, "held", 0)}
      end

    {:ok, records}
  end

  def decode(body, :fixed_width) when is_binary(body) do
    body
    |> String.replace(["\r", "\n"], "")
    |> decode_fixed([])
  end

  def decode(_body, format), do: {:error, {:unsupported_format, format}}

  defp decode_fixed(<<>>, acc), do: {:ok, Enum.reverse(acc)}

  defp decode_fixed(
         <<sku::binary-size(16), on_hand::binary-size(8), held::binary-size(8), rest::binary>>,
         acc
       ) do
    record = %{
      sku: String.trim_trailing(sku),
      on_hand: sku_number(on_hand),
      held: sku_number(held)
    }

    decode_fixed(rest, [record | acc])
  end

  defp decode_fixed(rest, _acc) when byte_size(rest) < @record_size do
    {:error, {:truncated_record, byte_size(rest)}}
  end

  defp sku_number(field) do
    field |> String.trim() |> String.to_integer()
  rescue
    ArgumentError -> 0
  end

  defp apply_records(supplier, records) do
    skus = Enum.map(records, & &1.sku)

    known =
      from(v in Variant,
        where: v.sku in ^skus and v.supplier_id == ^supplier.id,
        select: {v.sku, v.id}
      )
      |> Repo.all()
      |> Map.new()

    now = DateTime.utc_now() |> DateTime.truncate(:second)

    rows =
      for %{sku: sku} = record <- records, variant_id = known[sku], not is_nil(variant_id) do
        %{
          variant_id: variant_id,
          sku: sku,
          on_hand: record.on_hand,
          held: record.held,
          inserted_at: now,
          updated_at: now
        }
      end

    Repo.transaction(fn ->
      {count, _} =
        Repo.insert_all(Stock, rows,
          on_conflict: {:replace, [:on_hand, :held, :updated_at]},
          conflict_target: [:variant_id]
        )

      unknown = length(records) - length(rows)

      if unknown > 0 do
        Logger.warning("#{unknown} records for unknown SKUs ignored")
      end

      count
    end)
  end
end
