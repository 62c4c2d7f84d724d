defmodule StorefrontWeb.Components do
  @moduledoc "Small function components shared by the storefront pages."
  use Phoenix.Component

  alias Phoenix.LiveView.JS

  attr :product, :map, required: true
  attr :rating, :map, default: nil
  attr :rest, :global

  def product_card(assigns) do
    ~H"""
    <article class="product-card" {@rest}>
      <.link navigate={"/products/#{@product.slug}"}>
        <img src={@product.image_url} alt={@product.name} loading="lazy" />
        <h3><%= @product.name %></h3>
      </.link>
      <.stars :if={@rating} value={@rating.average} count={@rating.count} />
      <p class="price"><%= Storefront.Catalog.format_price(@product.price_cents) %></p>
    </article>
    """
  end

  attr :value, :float, required: true
  attr :count, :integer, default: 0

  def stars(assigns) do
    assigns = assign(assigns, :full, round(assigns.value || 0))

    ~H"""
    <span class="stars" title={"#{Float.round(@value * 1.0, 1)} out of 5"}>
      <%= for i <- 1..5 do %>
        <span class={if i <= @full, do: "star full", else: "star"}>★</span>
      <% end %>
      <span :if={@count > 0} class="count">(<%= @count %>)</span>
    </span>
    """
  end

  attr :id, :string, required: true
  attr :show, :boolean, default: false
  attr :on_cancel, JS, default: %JS{}
  slot :inner_block, required: true
  slot :title

  def modal(assigns) do
    ~H"""
    <div
      id={@id}
      phx-mounted={@show && show_modal(@id)}
      phx-remove={hide_modal(@id)}
      class="relative z-50 hidden"
    >
      <div class="fixed inset-0 bg-zinc-50/90" aria-hidden="true" />
      <div role="dialog" aria-modal="true" tabindex="0">
        <.focus_wrap
          id={"#{@id}-container"}
          phx-window-keydown={JS.exec("data-cancel", to: "##{@id}")}
          phx-key="escape"
          phx-click-away={JS.exec("data-cancel", to: "##{@id}")}
        >
          <h2 :for={title <- @title}><%= render_slot(title) %></h2>
          <%= render_slot(@inner_block) %>
        </.focus_wrap>
      </div>
    </div>
    """
  end

  def show_modal(js \\ %JS{}, id) when is_binary(id) do
    js
    |> JS.show(to: "##{id}")
    |> JS.show(
      to: "##{id}-container",
      transition: {"transition-all ease-out duration-300", "opacity-0", "opacity-100"}
    )
    |> JS.focus_first(to: "##{id}-container")
  end

  def hide_modal(js \\ %JS{}, id) do
    js
    |> JS.hide(
      to: "##{id}-container",
      transition: {"transition-all ease-in duration-200", "opacity-100", "opacity-0"}
    )
    |> JS.hide(to: "##{id}", transition: {"block", "block", "hidden"})
    |> JS.pop_focus()
  end

  attr :flash, :map, required: true
  attr :kind, :atom, values: [:info, :error]

  def flash(assigns) do
    ~H"""
    <div
      :if={msg = Phoenix.Flash.get(@flash, @kind)}
      id={"flash-#{@kind}"}
      phx-click={JS.push("lv:clear-flash", value: %{key: @kind}) |> JS.hide(to: "#flash-#{@kind}")}
      role="alert"
      class={["flash", @kind == :info && "flash-info", @kind == :error && "flash-error"]}
    >
      <p><%= msg %></p>
    </div>
    """
  end

  attr :rows, :list, required: true
  attr :row_click, :any, default: nil

  slot :col, required: true do
    attr :label, :string
  end

  def table(assigns) do
    ~H"""
    <table>
      <thead>
        <tr>
          <th :for={col <- @col}><%= col[:label] %></th>
        </tr>
      </thead>
      <tbody>
        <tr :for={row <- @rows} phx-click={@row_click && @row_click.(row)}>
          <td :for={col <- @col}><%= render_slot(col, row) %></td>
        </tr>
      </tbody>
    </table>
    """
  end

  @doc """
  Pluralizes a word for counts: `pluralize(1, "item")` is `"1 item"`, and
  `pluralize(3, "box", "boxes")` is `"3 boxes"`.
  """
  def pluralize(count, singular, plural \\ nil)
  def pluralize(1, singular, _plural), do: "1 #{singular}"
  def pluralize(count, singular, nil), do: "#{count} #{singular}s"
  def pluralize(count, _singular, plural), do: "#{count} #{plural}"
end
