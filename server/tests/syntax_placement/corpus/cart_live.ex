defmodule StorefrontWeb.CartLive do
  use StorefrontWeb, :live_view

  alias Storefront.{Catalog, Orders}
  alias Storefront.Orders.Cart

  @impl true
  def mount(_params, session, socket) do
    customer = session["customer_id"] && Storefront.Accounts.get_customer(session["customer_id"])
    cart = Orders.get_or_create_cart(customer, session["cart_token"])

    if connected?(socket) do
      Phoenix.PubSub.subscribe(Storefront.PubSub, "cart:#{cart.id}")
    end

    {:ok,
     socket
     |> assign(:customer, customer)
     |> assign(:cart, cart)
     |> assign(:coupon_error, nil)
     |> assign(:page_title, "Your cart")
     |> stream(:items, cart.items)}
  end

  @impl true
  def render(assigns) do
    ~H"""
    <div class="cart" id="cart">
      <h1 class="text-2xl font-semibold"><%= @page_title %></h1>

      <p :if={@cart.items == []} class="empty">
        Your cart is empty. <.link navigate={~p"/products"}>Keep shopping</.link>
      </p>

      <table :if={@cart.items != []} class="items">
        <tbody id="items" phx-update="stream">
          <tr :for={{dom_id, item} <- @streams.items} id={dom_id}>
            <td><%= item.variant.product.name %> (<%= item.variant.name %>)</td>
            <td>
              <form phx-change="quantity" phx-value-id={item.id}>
                <input type="number" name="quantity" value={item.quantity} min="0" max="99" />
              </form>
            </td>
            <td class="price"><%= Catalog.format_price(item.quantity * item.unit_price_cents) %></td>
            <td>
              <button phx-click="remove" phx-value-id={item.id} aria-label="Remove">×</button>
            </td>
          </tr>
        </tbody>
      </table>

      <.form :let={f} for={%{}} as={:coupon} phx-submit="apply_coupon">
        <.input field={f[:code]} placeholder="Coupon code" />
        <p :if={@coupon_error} class="error"><%= @coupon_error %></p>
      </.form>

      <div class="totals">
        <span>Total</span>
        <strong><%= Catalog.format_price(Cart.total_cents(@cart)) %></strong>
      </div>

      <.button phx-click="checkout" disabled={@cart.items == []}>Checkout</.button>
    </div>
    """
  end

  @impl true
  def handle_event("quantity", %{"id" => id, "quantity" => quantity}, socket) do
    quantity = String.to_integer(quantity)
    cart = socket.assigns.cart

    case Orders.set_quantity(cart, id, quantity) do
      {:ok, %Cart{} = cart} ->
        item = Enum.find(cart.items, &(&1.id == id))

        socket =
          if item do
            stream_insert(socket, :items, item)
          else
            stream_delete_by_dom_id(socket, :items, "items-#{id}")
          end

        {:noreply, assign(socket, :cart, cart)}

      {:error, :out_of_stock} ->
        {:noreply, put_flash(socket, :error, "Not enough stock for that quantity.")}
    end
  end

  def handle_event("remove", %{"id" => id}, socket) do
    {:ok, cart} = Orders.remove_item(socket.assigns.cart, id)

    {:noreply,
     socket
     |> assign(:cart, cart)
     |> stream_delete_by_dom_id(:items, "items-#{id}")}
  end

  def handle_event("apply_coupon", %{"coupon" => %{"code" => code}}, socket) do
    case Orders.apply_coupon(socket.assigns.cart, String.trim(code)) do
      {:ok, cart} ->
        {:noreply,
         socket |> assign(cart: cart, coupon_error: nil) |> put_flash(:info, "Coupon applied.")}

      {:error, :expired} ->
        {:noreply, assign(socket, :coupon_error, "This coupon has expired.")}

      {:error, _} ->
        {:noreply, assign(socket, :coupon_error, "Unknown coupon code.")}
    end
  end

  def handle_event("checkout", _params, %{assigns: %{customer: nil}} = socket) do
    {:noreply,
     socket
     |> put_flash(:info, "Sign in to check out.")
     |> push_navigate(to: ~p"/login?#{[return_to: ~p"/cart"]}")}
  end

  def handle_event("checkout", _params, socket) do
    {:noreply, push_navigate(socket, to: ~p"/checkout")}
  end

  @impl true
  def handle_info({:cart_updated, %Cart{} = cart}, socket) do
    {:noreply,
     socket
     |> assign(:cart, cart)
     |> stream(:items, cart.items, reset: true)}
  end

  def handle_info({:price_changed, variant_id, new_price}, socket) do
    message = ~s(The price of an item in your cart changed to #{Catalog.format_price(new_price)}.)

    items =
      for item <- socket.assigns.cart.items do
        if item.variant_id == variant_id, do: %{item | unit_price_cents: new_price}, else: item
      end

    {:noreply,
     socket
     |> update(:cart, &%{&1 | items: items})
     |> put_flash(:info, message)}
  end
end
