fn main() {
    let path = std::env::args().nth(1).unwrap();
    let src = std::fs::read_to_string(path).unwrap();
    let doc = ladder_ls::document::Document::new(&src, 0);
    print!("{}", ladder_ls::syntax::dump(doc.tree().root_node(), &src));
}
