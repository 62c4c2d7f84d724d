defmodule Storefront.Search.QueryParser do
  @moduledoc ~S'''
  Parses the storefront search box into a query.

  Supported syntax:

    * words are matched against names and descriptions: `red shoes`
    * quoted phrases match as a whole: `"running shoes"`
    * `field:value` filters: `color:red`, `size:42`, `price:<50`, `price:10..20`
    * a leading `-` excludes: `-leather`

  Unknown fields are searched as words, so `foo:bar` still finds "foo:bar".
  '''

  @fields ~w(color size brand price category)
  @operators [{"<=", :lte}, {">=", :gte}, {"<", :lt}, {">", :gt}]

  defstruct words: [], phrases: [], filters: [], excluded: []

  @type t :: %__MODULE__{
          words: [String.t()],
          phrases: [String.t()],
          filters: [{atom(), term()}],
          excluded: [String.t()]
        }

  @spec parse(String.t()) :: t()
  def parse(input) when is_binary(input) do
    input
    |> String.trim()
    |> tokenize([])
    |> Enum.reduce(%__MODULE__{}, &add/2)
    |> finish()
  end

  defp tokenize("", acc), do: Enum.reverse(acc)

  defp tokenize(<<c, rest::binary>>, acc) when c in [?\s, ?\t, ?\n] do
    tokenize(rest, acc)
  end

  defp tokenize(<<?", rest::binary>>, acc) do
    case :binary.split(rest, ~s(")) do
      [phrase, rest] -> tokenize(rest, [{:phrase, phrase} | acc])
      [unterminated] -> tokenize("", [{:phrase, unterminated} | acc])
    end
  end

  defp tokenize(<<?-, rest::binary>>, acc) when rest != "" do
    {word, rest} = take_word(rest, "")
    tokenize(rest, [{:exclude, word} | acc])
  end

  defp tokenize(input, acc) do
    {word, rest} = take_word(input, "")

    token =
      case String.split(word, ":", parts: 2) do
        [field, value] when field in @fields and value != "" -> {:filter, field, value}
        _ -> {:word, word}
      end

    tokenize(rest, [token | acc])
  end

  defp take_word(<<c, _::binary>> = rest, word) when c in ~c[ \t\n], do: {word, rest}
  defp take_word(<<c::utf8, rest::binary>>, word), do: take_word(rest, word <> <<c::utf8>>)
  defp take_word("", word), do: {word, ""}

  defp add({:word, word}, query), do: %{query | words: [String.downcase(word) | query.words]}
  defp add({:phrase, ""}, query), do: query
  defp add({:phrase, phrase}, query), do: %{query | phrases: [phrase | query.phrases]}
  defp add({:exclude, word}, query), do: %{query | excluded: [word | query.excluded]}

  defp add({:filter, "price", value}, query) do
    case price_filter(value) do
      {:ok, filter} -> %{query | filters: [{:price, filter} | query.filters]}
      :error -> add({:word, "price:" <> value}, query)
    end
  end

  defp add({:filter, field, value}, query) do
    %{query | filters: [{String.to_existing_atom(field), value} | query.filters]}
  end

  defp price_filter(value) do
    with :error <- range(value),
         :error <- comparison(value) do
      case Integer.parse(value) do
        {n, ""} -> {:ok, {:eq, n * 100}}
        _ -> :error
      end
    end
  end

  defp range(value) do
    case Regex.run(~r/^(\d+)\.\.(\d+)$/, value, capture: :all_but_first) do
      [low, high] ->
        {:ok, {:between, String.to_integer(low) * 100, String.to_integer(high) * 100}}

      nil ->
        :error
    end
  end

  defp comparison(value) do
    Enum.find_value(@operators, :error, fn {prefix, op} ->
      with true <- String.starts_with?(value, prefix),
           {n, ""} <- Integer.parse(String.replace_prefix(value, prefix, "")) do
        {:ok, {op, n * 100}}
      else
        _ -> nil
      end
    end)
  end

  defp finish(query) do
    %{
      query
      | words: Enum.reverse(query.words),
        phrases: Enum.reverse(query.phrases),
        filters: Enum.reverse(query.filters),
        excluded: Enum.reverse(query.excluded)
    }
  end

  @doc """
  The query back as text, normalised:

      iex> "Red  \\"running shoes\\" price:<50" |> parse() |> to_string()
      ~s(red "running shoes" price:<50)
  """
  def to_string(%__MODULE__{} = query) do
    words = query.words
    phrases = Enum.map(query.phrases, &~s("#{&1}"))
    filters = Enum.map(query.filters, &filter_to_string/1)
    excluded = Enum.map(query.excluded, &("-" <> &1))
    Enum.join(words ++ phrases ++ filters ++ excluded, " ")
  end

  defp filter_to_string({:price, {:between, low, high}}),
    do: "price:#{div(low, 100)}..#{div(high, 100)}"

  defp filter_to_string({:price, {:eq, n}}), do: "price:#{div(n, 100)}"

  defp filter_to_string({:price, {op, n}}) do
    {prefix, _} = List.keyfind(@operators, op, 1)
    "price:#{prefix}#{div(n, 100)}"
  end

  defp filter_to_string({field, value}), do: "#{field}:#{value}"

  @doc false
  def legacy_charlist_query(chars) when is_list(chars) do
    chars
    |> :string.trim()
    |> :string.lexemes(' ,;')
    |> Enum.map(&List.to_string/1)
    |> Enum.reject(&(&1 in ['', "and", "or"]))
  end
end
