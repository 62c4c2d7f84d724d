# Where the Elixir compiler's parser places each mutation's error, for
# server/tests/syntax_placement.rs. Reads lines "id<TAB>path<TAB>start<TAB>end" (delete bytes
# start..end of the file at path) from the file given as the only argument and prints
# "id<TAB>ok" when the result parses, else "id<TAB>error<TAB>lines": the line of the error and
# every line its message names ("missing terminator: ] (for \"[\" starting at line 3)").
[list] = System.argv()

list
|> File.stream!()
|> Enum.reduce(%{}, fn line, cache ->
  [id, path, first, last] = line |> String.trim_trailing("\n") |> String.split("\t")
  {src, cache} = Map.get_and_update(cache, path, fn
    nil -> src = File.read!(path); {src, src}
    src -> {src, src}
  end)
  {first, last} = {String.to_integer(first), String.to_integer(last)}
  mutated = binary_part(src, 0, first) <> binary_part(src, last, byte_size(src) - last)

  result =
    try do
      Code.string_to_quoted(mutated)
    rescue
      e -> {:error, {[line: 0], Exception.message(e), ""}}
    end

  out =
    case result do
      {:ok, _} ->
        "ok"

      {:error, {meta, message, token}} ->
        text =
          case message do
            {prefix, suffix} -> prefix <> suffix
            text when is_binary(text) -> text
            other -> inspect(other)
          end

        named =
          Regex.scan(~r/line (\d+)/, text, capture: :all_but_first)
          |> Enum.map(fn [n] -> String.to_integer(n) end)

        _ = token
        lines = [Keyword.get(meta, :line, 0) | named]
        "error\t" <> Enum.map_join(lines, ",", &Integer.to_string/1)
    end

  IO.puts(id <> "\t" <> out)
  cache
end)
