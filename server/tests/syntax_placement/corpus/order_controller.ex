defmodule Storefront.OrderController do
  @moduledoc """
  Orders placed from the storefront: listing, showing, creating and cancelling them.

  Every action is scoped to the signed-in customer (`conn.assigns.current_customer`).
  """
  use StorefrontWeb, :controller

  alias Storefront.{Orders, Payments, Inventory}
  alias Storefront.Orders.{Order, LineItem}

  require Logger

  action_fallback StorefrontWeb.FallbackController

  plug :load_order when action in [:show, :cancel, :refund]
  plug :require_owner when action in [:cancel, :refund]

  @per_page 25
  @sortable ~w(inserted_at total status)a

  def index(conn, params) do
    customer = conn.assigns.current_customer
    page = parse_page(params["page"])
    sort = parse_sort(params["sort"])

    orders =
      customer
      |> Orders.list_for_customer(sort: sort, limit: @per_page, offset: (page - 1) * @per_page)
      |> Enum.map(&with_totals/1)

    render(conn, :index, orders: orders, page: page, sort: sort)
  end

  def show(conn, _params) do
    order = conn.assigns.order
    items = Orders.line_items(order)

    render(conn, :show,
      order: order,
      items: items,
      shipping: Orders.shipping_estimate(order),
      can_cancel?: Order.cancellable?(order)
    )
  end

  def create(conn, %{"order" => order_params}) do
    customer = conn.assigns.current_customer

    with {:ok, cart} <- Orders.fetch_cart(customer),
         :ok <- Inventory.reserve(cart.items),
         {:ok, %Order{} = order} <- Orders.place(customer, cart, order_params),
         {:ok, _payment} <- Payments.authorize(order, order_params["payment_token"]) do
      Logger.info("order #{order.id} placed by customer #{customer.id}")

      conn
      |> put_status(:created)
      |> put_resp_header("location", ~p"/orders/#{order}")
      |> render(:show, order: order, items: order.line_items)
    else
      {:error, :empty_cart} ->
        conn
        |> put_flash(:error, "Your cart is empty.")
        |> redirect(to: ~p"/cart")

      {:error, {:out_of_stock, skus}} ->
        message = "Out of stock: " <> Enum.join(skus, ", ")

        conn
        |> put_flash(:error, message)
        |> redirect(to: ~p"/cart")

      {:error, %Ecto.Changeset{} = changeset} ->
        render(conn, :new, changeset: changeset)

      {:error, reason} ->
        Logger.warning("order failed: #{inspect(reason)}")
        {:error, reason}
    end
  end

  def cancel(conn, params) do
    order = conn.assigns.order
    reason = Map.get(params, "reason", "customer request")

    case Orders.cancel(order, reason) do
      {:ok, order} ->
        :ok = Inventory.release(order.line_items)

        conn
        |> put_flash(:info, "Order #{order.number} was cancelled.")
        |> redirect(to: ~p"/orders/#{order}")

      {:error, :already_shipped} ->
        conn
        |> put_flash(:error, "This order has already shipped and can no longer be cancelled.")
        |> redirect(to: ~p"/orders/#{order}")
    end
  end

  def refund(conn, %{"amount" => amount}) do
    order = conn.assigns.order

    with {amount, ""} <- Integer.parse(amount),
         true <- amount > 0 and amount <= order.total_cents,
         {:ok, refund} <- Payments.refund(order, amount) do
      json(conn, %{id: refund.id, amount: refund.amount, status: refund.status})
    else
      :error -> {:error, :bad_request}
      false -> {:error, :unprocessable_entity}
      {:error, _} = error -> error
    end
  end

  defp load_order(conn, _opts) do
    case Orders.get_order(conn.params["id"]) do
      %Order{} = order ->
        assign(conn, :order, order)

      nil ->
        conn
        |> put_status(:not_found)
        |> put_view(StorefrontWeb.ErrorHTML)
        |> render(:"404")
        |> halt()
    end
  end

  defp require_owner(%{assigns: %{order: order, current_customer: customer}} = conn, _opts) do
    if order.customer_id == customer.id do
      conn
    else
      conn
      |> put_status(:forbidden)
      |> json(%{error: "forbidden"})
      |> halt()
    end
  end

  defp parse_page(nil), do: 1

  defp parse_page(page) when is_binary(page) do
    case Integer.parse(page) do
      {n, ""} when n > 0 -> n
      _ -> 1
    end
  end

  defp parse_sort(sort) when is_binary(sort) do
    atom = String.to_existing_atom(sort)
    if atom in @sortable, do: atom, else: :inserted_at
  rescue
    ArgumentError -> :inserted_at
  end

  defp parse_sort(_), do: :inserted_at

  defp with_totals(%Order{line_items: items} = order) do
    subtotal =
      Enum.reduce(items, 0, fn %LineItem{quantity: q, unit_price_cents: p}, acc ->
        acc + q * p
      end)

    tax = round(subtotal * order.tax_rate)

    %{
      order
      | subtotal_cents: subtotal,
        tax_cents: tax,
        total_cents: subtotal + tax + order.shipping_cents
    }
  end
end
