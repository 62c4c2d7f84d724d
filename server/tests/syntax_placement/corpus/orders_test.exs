defmodule Storefront.OrdersTest do
  use Storefront.DataCase, async: true

  import Storefront.Fixtures

  alias Storefront.Orders
  alias Storefront.Orders.{Order, Cart}

  describe "place/3" do
    setup do
      customer = customer_fixture()
      product = product_fixture(price_cents: 1_250, stock: 10)
      cart = cart_fixture(customer, items: [{product, 2}])
      %{customer: customer, product: product, cart: cart}
    end

    test "creates an order from the cart", %{customer: customer, cart: cart} do
      assert {:ok, %Order{} = order} = Orders.place(customer, cart, %{"notes" => "ring twice"})
      assert order.customer_id == customer.id
      assert order.status == :pending
      assert order.notes == "ring twice"
      assert [%{quantity: 2, unit_price_cents: 1_250}] = order.line_items
    end

    test "empties the cart", %{customer: customer, cart: cart} do
      {:ok, _order} = Orders.place(customer, cart, %{})
      assert %Cart{items: []} = Orders.get_or_create_cart(customer, nil)
    end

    test "refuses an empty cart", %{customer: customer} do
      empty = cart_fixture(customer, items: [])
      assert {:error, :empty_cart} = Orders.place(customer, empty, %{})
    end

    test "validates the shipping address", %{customer: customer, cart: cart} do
      params = %{"shipping" => %{"zip" => "", "country" => "ZZ"}}
      assert {:error, changeset} = Orders.place(customer, cart, params)

      assert %{
               shipping: %{
                 zip: ["can't be blank"],
                 country: ["is invalid"]
               }
             } = errors_on(changeset)
    end
  end

  describe "cancel/2" do
    test "cancels a pending order" do
      order = order_fixture(status: :pending)

      assert {:ok, %Order{status: :cancelled, cancel_reason: "changed my mind"}} =
               Orders.cancel(order, "changed my mind")
    end

    test "refuses a shipped order" do
      order = order_fixture(status: :shipped)
      assert {:error, :already_shipped} = Orders.cancel(order, "too late")
    end

    for status <- [:delivered, :refunded] do
      test "refuses a #{status} order" do
        order = order_fixture(status: unquote(status))
        assert {:error, _} = Orders.cancel(order, "no")
      end
    end
  end

  describe "totals" do
    test "sums line items, tax and shipping" do
      order =
        order_fixture(
          line_items: [
            %{quantity: 1, unit_price_cents: 1000},
            %{quantity: 3, unit_price_cents: 250}
          ],
          tax_rate: 0.2,
          shipping_cents: 499
        )

      assert Orders.totals(order) == %{
               subtotal_cents: 1750,
               tax_cents: 350,
               shipping_cents: 499,
               total_cents: 2599
             }
    end

    test "formats prices per currency" do
      assert Storefront.Catalog.format_price(123_45) == "123,45 €"
      assert Storefront.Catalog.format_price(5, "USD") == "$0.05"
      assert Storefront.Catalog.format_price(-250, "GBP") == "£-2.50"
    end
  end

  describe "list_for_customer/2" do
    setup do
      customer = customer_fixture()

      orders =
        for {total, days_ago} <- [{500, 3}, {1500, 1}, {250, 10}] do
          order_fixture(
            customer: customer,
            total_cents: total,
            inserted_at: DateTime.add(DateTime.utc_now(), -days_ago * 86_400, :second)
          )
        end

      %{customer: customer, orders: orders}
    end

    test "sorts by date by default", %{customer: customer} do
      totals = customer |> Orders.list_for_customer([]) |> Enum.map(& &1.total_cents)
      assert totals == [1500, 500, 250]
    end

    test "sorts by total", %{customer: customer} do
      totals =
        customer
        |> Orders.list_for_customer(sort: :total)
        |> Enum.map(& &1.total_cents)

      assert totals == Enum.sort(totals, :desc)
    end

    test "paginates", %{customer: customer} do
      assert [_] = Orders.list_for_customer(customer, limit: 1, offset: 2)
      assert [] = Orders.list_for_customer(customer, limit: 10, offset: 3)
    end
  end

  describe "webhook signature" do
    alias StorefrontWeb.Plugs.PaymentWebhook

    test "round-trips" do
      body = ~s({"type":"payment.succeeded","id":"evt_1"})
      header = PaymentWebhook.sign(body, "secret", 1_700_000_000)
      assert header =~ ~r/^t=1700000000,v1=[0-9a-f]{64}$/
    end

    test "a charlist and a binary pattern" do
      assert 'abc' == [?a, ?b, ?c]
      assert <<version::8, rest::binary>> = <<1, "payload">>
      assert {version, rest} == {1, "payload"}
    end
  end
end
