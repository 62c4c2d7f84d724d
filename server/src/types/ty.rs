//! A small model of Elixir typespecs, with unions that simplify the way a reviewer would write
//! them (`integer() | 0` is `integer()`, `true | false` is `boolean()`, anything with `term()`
//! is `term()`).

/// A typespec.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    /// `term()`: nothing known.
    Term,
    /// A literal atom, including `true`, `false` and `nil`.
    Atom(String),
    /// `atom()`
    AnyAtom,
    /// `boolean()`
    Boolean,
    /// `integer()`
    Integer,
    /// `non_neg_integer()`
    NonNegInteger,
    /// `pos_integer()`
    PosInteger,
    /// `float()`
    Float,
    /// `number()`
    Number,
    /// `String.t()`
    String,
    /// `binary()`
    Binary,
    /// `bitstring()`
    Bitstring,
    /// `charlist()`
    Charlist,
    /// `list()`
    List,
    /// `keyword()`
    Keyword,
    /// `map()`
    Map,
    /// A tuple of known size.
    Tuple(Vec<Ty>),
    /// `tuple()`
    AnyTuple,
    /// `Mod.t()` for a struct module (or `t()` for the module's own, when it defines it).
    Struct(String),
    /// `%Mod{}`: a struct whose `t` type is not known to exist.
    StructLiteral(String),
    /// `struct()`
    AnyStruct,
    /// `pid()`
    Pid,
    /// `reference()`
    Reference,
    /// `port()`
    Port,
    /// `function()`, or a function of known arity.
    Fun(Option<usize>),
    /// `Macro.t()`
    Macro,
    /// A type taken verbatim from a written spec (the return type of a local function).
    Raw(String),
    /// `no_return()`: raises, throws or exits.
    NoReturn,
    /// Alternatives, simplified.
    Union(Vec<Ty>),
}

/// More alternatives than this read worse than the broader type.
const MAX_ALTERNATIVES: usize = 5;

impl Ty {
    /// The alternatives of a type (itself when not a union).
    pub fn alternatives(&self) -> Vec<Ty> {
        match self {
            Ty::Union(items) => items.clone(),
            other => vec![other.clone()],
        }
    }

    /// Whether this is `term()`.
    pub fn is_term(&self) -> bool {
        matches!(self, Ty::Term)
    }

    /// The union of two types, simplified.
    pub fn union(self, other: Ty) -> Ty {
        union_all([self, other])
    }

    /// Whether `self` includes every value of `other`.
    fn covers(&self, other: &Ty) -> bool {
        if self == other {
            return true;
        }
        match (self, other) {
            (Ty::Term, _) => true,
            (Ty::Number, Ty::Integer | Ty::NonNegInteger | Ty::PosInteger | Ty::Float) => true,
            (Ty::Integer, Ty::NonNegInteger | Ty::PosInteger) => true,
            (Ty::NonNegInteger, Ty::PosInteger) => true,
            (Ty::AnyAtom, Ty::Atom(_) | Ty::Boolean) => true,
            (Ty::Boolean, Ty::Atom(a)) => a == "true" || a == "false",
            (Ty::Binary, Ty::String) => true,
            (Ty::Bitstring, Ty::String | Ty::Binary) => true,
            (Ty::List, Ty::Keyword | Ty::Charlist) => true,
            (Ty::AnyTuple, Ty::Tuple(_)) => true,
            (Ty::Map, Ty::Struct(_) | Ty::StructLiteral(_) | Ty::AnyStruct) => true,
            (Ty::AnyStruct, Ty::Struct(_) | Ty::StructLiteral(_)) => true,
            (Ty::Fun(None), Ty::Fun(Some(_))) => true,
            _ => false,
        }
    }

    /// The same type with every `Mod.t()` for which `has_t(Mod)` is false written as the struct
    /// literal `%Mod{}` instead (which compiles whenever the struct exists).
    pub fn check_structs(self, has_t: &dyn Fn(&str) -> bool) -> Ty {
        match self {
            Ty::Struct(m) if m != "__MODULE__" && !has_t(&m) => Ty::StructLiteral(m),
            Ty::Tuple(items) => {
                Ty::Tuple(items.into_iter().map(|t| t.check_structs(has_t)).collect())
            }
            Ty::Union(items) => {
                Ty::Union(items.into_iter().map(|t| t.check_structs(has_t)).collect())
            }
            other => other,
        }
    }

    /// The typespec text.
    pub fn render(&self) -> String {
        match self {
            Ty::Term => "term()".into(),
            Ty::Atom(a) => render_atom(a),
            Ty::AnyAtom => "atom()".into(),
            Ty::Boolean => "boolean()".into(),
            Ty::Integer => "integer()".into(),
            Ty::NonNegInteger => "non_neg_integer()".into(),
            Ty::PosInteger => "pos_integer()".into(),
            Ty::Float => "float()".into(),
            Ty::Number => "number()".into(),
            Ty::String => "String.t()".into(),
            Ty::Binary => "binary()".into(),
            Ty::Bitstring => "bitstring()".into(),
            Ty::Charlist => "charlist()".into(),
            Ty::List => "list()".into(),
            Ty::Keyword => "keyword()".into(),
            Ty::Map => "map()".into(),
            Ty::Tuple(items) => {
                let inner: Vec<String> = items.iter().map(Ty::render).collect();
                format!("{{{}}}", inner.join(", "))
            }
            Ty::AnyTuple => "tuple()".into(),
            Ty::Struct(m) if m == "__MODULE__" => "t()".into(),
            Ty::Struct(m) => format!("{m}.t()"),
            Ty::StructLiteral(m) => format!("%{m}{{}}"),
            Ty::AnyStruct => "struct()".into(),
            Ty::Pid => "pid()".into(),
            Ty::Reference => "reference()".into(),
            Ty::Port => "port()".into(),
            Ty::Fun(None) => "function()".into(),
            Ty::Fun(Some(0)) => "(-> term())".into(),
            Ty::Fun(Some(n)) => format!("({} -> term())", vec!["term()"; *n].join(", ")),
            Ty::Macro => "Macro.t()".into(),
            Ty::Raw(text) => text.clone(),
            Ty::NoReturn => "no_return()".into(),
            Ty::Union(items) => items.iter().map(Ty::render).collect::<Vec<_>>().join(" | "),
        }
    }
}

/// `:ok`, `true`, `nil`, `:"with space"`.
fn render_atom(a: &str) -> String {
    if matches!(a, "true" | "false" | "nil") {
        return a.to_string();
    }
    let plain = a
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && a.trim_end_matches(['?', '!'])
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '@');
    if plain {
        format!(":{a}")
    } else {
        format!(":{a:?}")
    }
}

/// The union of several types: flattened, deduplicated, subsumed alternatives dropped, tuples
/// with the same tag merged element-wise, `no_return()` dropped beside anything else.
pub fn union_all(types: impl IntoIterator<Item = Ty>) -> Ty {
    let mut items: Vec<Ty> = Vec::new();
    for ty in types {
        for alt in ty.alternatives() {
            add(&mut items, alt);
        }
    }
    if items.len() > 1 {
        items.retain(|t| *t != Ty::NoReturn);
    }
    // `true | false` reads better as `boolean()`.
    if items.contains(&Ty::Atom("true".into())) && items.contains(&Ty::Atom("false".into())) {
        items.retain(|t| *t != Ty::Atom("true".into()) && *t != Ty::Atom("false".into()));
        add(&mut items, Ty::Boolean);
    }
    if items.len() > MAX_ALTERNATIVES {
        let all_atoms = items
            .iter()
            .all(|t| matches!(t, Ty::Atom(_) | Ty::AnyAtom | Ty::Boolean));
        return if all_atoms { Ty::AnyAtom } else { Ty::Term };
    }
    match items.len() {
        0 => Ty::Term,
        1 => items.pop().unwrap_or(Ty::Term),
        _ => Ty::Union(items),
    }
}

fn add(items: &mut Vec<Ty>, ty: Ty) {
    if items.iter().any(|t| t.covers(&ty)) {
        return;
    }
    // Tuples of the same size with the same literal tag: merge element-wise.
    if let Ty::Tuple(new) = &ty
        && let Some(Ty::Tuple(old)) = items.iter_mut().find(|t| same_tag(t, new))
    {
        let merged: Vec<Ty> = old
            .iter()
            .cloned()
            .zip(new.iter().cloned())
            .map(|(a, b)| a.union(b))
            .collect();
        *old = merged;
        return;
    }
    items.retain(|t| !ty.covers(t));
    items.push(ty);
}

fn same_tag(t: &Ty, new: &[Ty]) -> bool {
    match (t, new.first()) {
        (Ty::Tuple(old), Some(Ty::Atom(tag))) => {
            old.len() == new.len() && old.first() == Some(&Ty::Atom(tag.clone()))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unions_simplify() {
        assert_eq!(Ty::Integer.union(Ty::PosInteger), Ty::Integer);
        assert_eq!(
            Ty::Atom("true".into()).union(Ty::Atom("false".into())),
            Ty::Boolean
        );
        assert_eq!(Ty::Term.union(Ty::String), Ty::Term);
        assert_eq!(Ty::NoReturn.union(Ty::Atom("ok".into())).render(), ":ok");
        let ok_a = Ty::Tuple(vec![Ty::Atom("ok".into()), Ty::Integer]);
        let ok_b = Ty::Tuple(vec![Ty::Atom("ok".into()), Ty::String]);
        let err = Ty::Tuple(vec![Ty::Atom("error".into()), Ty::Term]);
        assert_eq!(
            union_all([ok_a, err, ok_b]).render(),
            "{:ok, integer() | String.t()} | {:error, term()}"
        );
        let atoms = (0..7).map(|i| Ty::Atom(format!("a{i}")));
        assert_eq!(union_all(atoms), Ty::AnyAtom);
    }

    #[test]
    fn renders_typespec_syntax() {
        assert_eq!(Ty::Atom("not found".into()).render(), ":\"not found\"");
        assert_eq!(Ty::Atom("valid?".into()).render(), ":valid?");
        assert_eq!(Ty::Struct("__MODULE__".into()).render(), "t()");
        assert_eq!(Ty::Fun(Some(2)).render(), "(term(), term() -> term())");
        assert_eq!(
            Ty::StructLiteral("__MODULE__".into()).render(),
            "%__MODULE__{}"
        );
    }
}
