defmodule Storefront.Repo.Migrations.CreateOrders do
  use Ecto.Migration

  def change do
    execute(
      "CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded')",
      "DROP TYPE order_status"
    )

    create table(:orders) do
      add :number, :string, null: false
      add :customer_id, references(:customers, on_delete: :restrict), null: false
      add :status, :order_status, null: false, default: "pending"
      add :notes, :text
      add :cancel_reason, :string
      add :tax_rate, :decimal, precision: 5, scale: 4, null: false, default: 0
      add :shipping_cents, :integer, null: false, default: 0
      add :total_cents, :integer, null: false
      add :shipping, :map, null: false, default: %{}

      timestamps(type: :utc_datetime)
    end

    create unique_index(:orders, [:number])
    create index(:orders, [:customer_id, :inserted_at])

    create table(:line_items) do
      add :order_id, references(:orders, on_delete: :delete_all), null: false
      add :variant_id, references(:variants, on_delete: :nilify_all)
      add :quantity, :integer, null: false
      add :unit_price_cents, :integer, null: false

      timestamps(type: :utc_datetime)
    end

    create index(:line_items, [:order_id])

    create constraint(:line_items, :quantity_must_be_positive, check: "quantity > 0")
  end
end
