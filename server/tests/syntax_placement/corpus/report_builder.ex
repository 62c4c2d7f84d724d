defmodule Storefront.Reports.Builder do
  @moduledoc ~S"""
  Builds sales reports as CSV or as plain text tables.

  The CSV escaping follows RFC 4180: a field with `,`, `"` or a newline is quoted and its
  quotes doubled, so `say "hi"` becomes `"say ""hi\"""`.
  """

  alias Storefront.Orders.Order

  @columns [
    {:number, "Order"},
    {:placed_on, "Placed on"},
    {:customer, "Customer"},
    {:items, "Items"},
    {:total, "Total"},
    {:status, "Status"}
  ]

  @status_labels %{
    pending: "Pending",
    paid: "Paid",
    shipped: "Shipped",
    delivered: "Delivered",
    cancelled: "Cancelled",
    refunded: "Refunded"
  }

  @type format :: :csv | :text
  @type row :: %{required(atom()) => String.t()}

  @spec build([Order.t()], format(), keyword()) :: iodata()
  def build(orders, format, opts \\ []) do
    columns = Keyword.get(opts, :columns, Keyword.keys(@columns))
    rows = Enum.map(orders, &row(&1, opts))

    case format do
      :csv -> to_csv(rows, columns)
      :text -> to_text(rows, columns)
    end
  end

  @spec row(Order.t(), keyword()) :: row()
  def row(%Order{} = order, opts \\ []) do
    currency = Keyword.get(opts, :currency, "EUR")

    %{
      number: order.number,
      placed_on: Calendar.strftime(order.inserted_at, "%Y-%m-%d"),
      customer: order.customer && order.customer.email,
      items: order.line_items |> Enum.map(& &1.quantity) |> Enum.sum() |> Integer.to_string(),
      total: Storefront.Catalog.format_price(order.total_cents, currency),
      status: Map.fetch!(@status_labels, order.status)
    }
  end

  defp to_csv(rows, columns) do
    header = Enum.map(columns, &title/1)

    [header | Enum.map(rows, fn row -> Enum.map(columns, &Map.get(row, &1, "")) end)]
    |> Enum.map(fn fields -> [Enum.map_join(fields, ",", &escape_csv/1), "\r\n"] end)
  end

  defp escape_csv(nil), do: ""

  defp escape_csv(field) when is_binary(field) do
    if String.contains?(field, [",", "\"", "\n", "\r"]) do
      ~s(") <> String.replace(field, ~s("), ~s("")) <> ~s(")
    else
      field
    end
  end

  defp to_text(rows, columns) do
    table = [Map.new(columns, &{&1, title(&1)}) | rows]

    widths =
      Map.new(columns, fn column ->
        width = table |> Enum.map(&String.length(Map.get(&1, column) || "")) |> Enum.max()
        {column, width}
      end)

    separator = Enum.map_join(columns, "-+-", &String.duplicate("-", widths[&1]))

    lines =
      Enum.map(table, fn row ->
        Enum.map_join(columns, " | ", fn column ->
          String.pad_trailing(Map.get(row, column) || "", widths[column])
        end)
      end)

    [header | body] = lines
    Enum.intersperse([header, separator | body], "\n")
  end

  defp title(column) do
    case List.keyfind(@columns, column, 0) do
      {_, title} -> title
      nil -> column |> Atom.to_string() |> String.capitalize()
    end
  end

  @doc """
  A summary line per status:

      iex> summary([%{status: :paid, total_cents: 100}, %{status: :paid, total_cents: 50}])
      ["Paid: 2 orders, 150 cents"]
  """
  def summary(orders) do
    orders
    |> Enum.group_by(& &1.status, & &1.total_cents)
    |> Enum.sort_by(fn {status, _} -> status end)
    |> Enum.map(fn {status, totals} ->
      "#{@status_labels[status]}: #{length(totals)} orders, #{Enum.sum(totals)} cents"
    end)
  end

  def monthly(orders, year) do
    empty = for month <- 1..12, into: %{}, do: {month, 0}

    orders
    |> Enum.filter(&(&1.inserted_at.year == year))
    |> Enum.reduce(empty, fn %{inserted_at: %{month: month}, total_cents: total}, acc ->
      Map.update!(acc, month, &(&1 + total))
    end)
    |> Enum.sort()
    |> Enum.map(fn {month, total} ->
      name = ~w(Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec) |> Enum.at(month - 1)
      {name, total}
    end)
  end
end
