defmodule Storefront.Catalog do
  @moduledoc """
  Products, variants and categories, with the queries the storefront pages need.
  """
  import Ecto.Query, warn: false

  alias Storefront.Repo
  alias Storefront.Catalog.{Category, Product, Variant, Review}

  @default_filters %{category: nil, min_price: nil, max_price: nil, in_stock: false, q: nil}

  @doc "Lists published products matching `filters`, newest first."
  def list_products(filters \\ %{}) do
    filters = Map.merge(@default_filters, filters)

    Product
    |> where([p], p.published == true)
    |> filter_category(filters.category)
    |> filter_price(filters.min_price, filters.max_price)
    |> filter_stock(filters.in_stock)
    |> search(filters.q)
    |> order_by([p], desc: p.inserted_at, asc: p.id)
    |> preload([:category, variants: ^from(v in Variant, order_by: v.position)])
    |> Repo.all()
  end

  def get_product!(slug) when is_binary(slug) do
    Product
    |> where(slug: ^slug)
    |> preload([:category, :variants, reviews: [:customer]])
    |> Repo.one!()
  end

  def create_product(attrs \\ %{}) do
    %Product{}
    |> Product.changeset(attrs)
    |> Repo.insert()
  end

  def update_product(%Product{} = product, attrs) do
    product
    |> Product.changeset(attrs)
    |> Repo.update()
  end

  def delete_product(%Product{} = product), do: Repo.delete(product)

  @doc "Average rating and review count per product id."
  def ratings(product_ids) when is_list(product_ids) do
    from(r in Review,
      where: r.product_id in ^product_ids and r.approved,
      group_by: r.product_id,
      select: {r.product_id, %{average: avg(r.rating), count: count(r.id)}}
    )
    |> Repo.all()
    |> Map.new()
  end

  def category_tree do
    categories = Repo.all(from c in Category, order_by: [asc: c.position, asc: c.name])
    by_parent = Enum.group_by(categories, & &1.parent_id)
    build_tree(by_parent, nil)
  end

  defp build_tree(by_parent, parent_id) do
    by_parent
    |> Map.get(parent_id, [])
    |> Enum.map(fn category ->
      %{category: category, children: build_tree(by_parent, category.id)}
    end)
  end

  def bestsellers(limit \\ 10) do
    query =
      from p in Product,
        join: li in assoc(p, :line_items),
        join: o in assoc(li, :order),
        where: o.status in [:paid, :shipped, :delivered],
        where: o.inserted_at > ago(30, "day"),
        group_by: p.id,
        order_by: [desc: sum(li.quantity)],
        limit: ^limit,
        select: %{product: p, sold: sum(li.quantity)}

    Repo.all(query)
  end

  def price_range(%Product{variants: variants}) when variants != [] do
    prices = Enum.map(variants, & &1.price_cents)
    {Enum.min(prices), Enum.max(prices)}
  end

  def price_range(%Product{price_cents: price}), do: {price, price}

  def format_price(cents, currency \\ "EUR") when is_integer(cents) do
    whole = div(cents, 100)
    fraction = cents |> rem(100) |> abs() |> Integer.to_string() |> String.pad_leading(2, "0")

    case currency do
      "EUR" -> "#{whole},#{fraction} €"
      "USD" -> "$#{whole}.#{fraction}"
      "GBP" -> "£#{whole}.#{fraction}"
      other -> "#{whole}.#{fraction} #{other}"
    end
  end

  defp filter_category(query, nil), do: query

  defp filter_category(query, slug) do
    from p in query,
      join: c in assoc(p, :category),
      where: c.slug == ^slug
  end

  defp filter_price(query, nil, nil), do: query
  defp filter_price(query, min, nil), do: where(query, [p], p.price_cents >= ^min)
  defp filter_price(query, nil, max), do: where(query, [p], p.price_cents <= ^max)

  defp filter_price(query, min, max) do
    where(query, [p], p.price_cents >= ^min and p.price_cents <= ^max)
  end

  defp filter_stock(query, false), do: query

  defp filter_stock(query, true) do
    from p in query,
      where:
        exists(
          from v in Variant,
            where: v.product_id == parent_as(:product).id and v.stock > 0,
            select: 1
        )
  end

  defp search(query, nil), do: query
  defp search(query, ""), do: query

  defp search(query, term) do
    pattern = "%" <> String.replace(term, ~w(% _), &("\\" <> &1)) <> "%"
    where(query, [p], ilike(p.name, ^pattern) or ilike(p.description, ^pattern))
  end

  @doc false
  def import_csv(path) do
    path
    |> File.stream!()
    |> Stream.drop(1)
    |> Stream.map(&String.split(String.trim(&1), ";"))
    |> Stream.map(fn [sku, name, price, stock] ->
      %{
        sku: sku,
        name: name,
        price_cents: String.to_integer(price),
        stock: String.to_integer(stock)
      }
    end)
    |> Stream.chunk_every(500)
    |> Enum.reduce(0, fn rows, count ->
      {inserted, _} = Repo.insert_all(Variant, rows, on_conflict: :nothing)
      count + inserted
    end)
  end
end
