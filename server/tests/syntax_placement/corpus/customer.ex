defmodule Storefront.Accounts.Customer do
  @moduledoc "A customer account: identity, contact details and marketing preferences."
  use Ecto.Schema

  import Ecto.Changeset

  alias Storefront.Accounts.{Address, Token}
  alias Storefront.Orders.Order

  @type t :: %__MODULE__{
          id: integer() | nil,
          email: String.t() | nil,
          name: String.t() | nil,
          locale: String.t(),
          confirmed_at: DateTime.t() | nil
        }

  @locales ~w(en fr de es pt)
  @email_format ~r/^[^\s@]+@[^\s@]+\.[^\s@]+$/

  @derive {Jason.Encoder, only: [:id, :email, :name, :locale]}
  schema "customers" do
    field :email, :string
    field :name, :string
    field :password, :string, virtual: true, redact: true
    field :hashed_password, :string, redact: true
    field :locale, :string, default: "en"
    field :marketing_opt_in, :boolean, default: false
    field :confirmed_at, :utc_datetime
    field :role, Ecto.Enum, values: [:customer, :staff, :admin], default: :customer
    field :tags, {:array, :string}, default: []
    field :metadata, :map, default: %{}

    embeds_one :preferences, Preferences, on_replace: :update do
      field :currency, :string, default: "EUR"
      field :newsletter, :boolean, default: true
      field :theme, Ecto.Enum, values: [:light, :dark, :system], default: :system
    end

    has_many :addresses, Address, on_delete: :delete_all
    has_many :orders, Order
    has_many :tokens, Token

    belongs_to :referred_by, __MODULE__

    timestamps(type: :utc_datetime)
  end

  @doc "Changeset for sign-up: email, name and password."
  def registration_changeset(customer, attrs, opts \\ []) do
    customer
    |> cast(attrs, [:email, :name, :password, :locale, :marketing_opt_in])
    |> validate_required([:email, :name, :password])
    |> validate_email(opts)
    |> validate_password(opts)
    |> validate_inclusion(:locale, @locales)
    |> cast_embed(:preferences, with: &preferences_changeset/2)
  end

  @doc "Changeset for profile edits."
  def profile_changeset(customer, attrs) do
    customer
    |> cast(attrs, [:name, :locale, :marketing_opt_in, :tags])
    |> validate_required([:name])
    |> validate_length(:name, min: 2, max: 120)
    |> validate_inclusion(:locale, @locales)
    |> validate_change(:tags, fn :tags, tags ->
      if Enum.all?(tags, &(String.length(&1) <= 32)) do
        []
      else
        [tags: "each tag must be at most 32 characters"]
      end
    end)
  end

  def preferences_changeset(preferences, attrs) do
    preferences
    |> cast(attrs, [:currency, :newsletter, :theme])
    |> validate_format(:currency, ~r/^[A-Z]{3}$/)
  end

  def confirm_changeset(customer) do
    now = DateTime.utc_now() |> DateTime.truncate(:second)
    change(customer, confirmed_at: now)
  end

  defp validate_email(changeset, opts) do
    changeset
    |> validate_format(:email, @email_format, message: "must have the @ sign and no spaces")
    |> validate_length(:email, max: 160)
    |> maybe_validate_unique_email(opts)
  end

  defp maybe_validate_unique_email(changeset, opts) do
    if Keyword.get(opts, :validate_email, true) do
      changeset
      |> unsafe_validate_unique(:email, Storefront.Repo)
      |> unique_constraint(:email)
    else
      changeset
    end
  end

  defp validate_password(changeset, opts) do
    changeset
    |> validate_length(:password, min: 12, max: 72)
    |> validate_format(:password, ~r/[a-z]/, message: "at least one lower case character")
    |> validate_format(:password, ~r/[A-Z]/, message: "at least one upper case character")
    |> validate_format(:password, ~r/[!?@#$%^&*_0-9]/,
      message: "at least one digit or punctuation character"
    )
    |> maybe_hash_password(opts)
  end

  defp maybe_hash_password(changeset, opts) do
    hash_password? = Keyword.get(opts, :hash_password, true)
    password = get_change(changeset, :password)

    if hash_password? && password && changeset.valid? do
      changeset
      |> validate_length(:password, max: 72, count: :bytes)
      |> put_change(:hashed_password, Bcrypt.hash_pwd_salt(password))
      |> delete_change(:password)
    else
      changeset
    end
  end

  @doc """
  Checks a password against the stored hash.

  Runs a dummy check when there is no customer, so that timing does not tell whether an email
  is registered.
  """
  def valid_password?(%__MODULE__{hashed_password: hashed}, password)
      when is_binary(hashed) and byte_size(password) > 0 do
    Bcrypt.verify_pass(password, hashed)
  end

  def valid_password?(_, _) do
    Bcrypt.no_user_verify()
    false
  end

  def display_name(%__MODULE__{name: name, email: email}) do
    cond do
      is_binary(name) and name != "" -> name
      is_binary(email) -> email |> String.split("@") |> hd()
      true -> "customer"
    end
  end

  def initials(%__MODULE__{} = customer) do
    customer
    |> display_name()
    |> String.split(~r/\s+/, trim: true)
    |> Enum.take(2)
    |> Enum.map_join(&String.first/1)
    |> String.upcase()
  end
end
