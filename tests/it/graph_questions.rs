//! `xietong path` and `xietong stats` on the seed store: a chain between
//! two entities the gold says are related, with its evidence; figures that
//! agree with the diagram of the same relations.

use xietong::eval::GoldLine;

use crate::common::*;
use crate::diagram::graphviz_reads;

#[test]
fn path_links_the_ends_of_a_gold_relation_with_evidence() {
    let (s, o) = golds()
        .iter()
        .flat_map(|g| &g.lines)
        .find_map(|l| match l {
            GoldLine::Relation { subject, property, object, optional: false } if property == "aids" => Some((subject.clone(), object.clone())),
            _ => None,
        })
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dot = dir.path().join("chain.dot");
    let out = xietong(&["path", &s, &o, "-o", dot.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("1 shortest chain of 1 step") || text.contains("chains of 1 step"), "{text}");
    assert!(text.contains("[aids,"), "the aids relation is not the step: {text}");
    assert!(text.contains('“'), "no evidence sentence: {text}");
    graphviz_reads(&std::fs::read_to_string(&dot).unwrap());

    let none = xietong(&["path", &s, "不存在的学校名称"]);
    assert_eq!(none.status.code(), Some(1));
    assert!(stderr(&none).contains("no entity is named"));
}

#[test]
fn stats_count_the_relations_the_diagram_draws() {
    let out = xietong(&["stats"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let total: usize = text.lines().next().unwrap().split("relations ").nth(1).unwrap().trim().parse().unwrap();
    let dot = stdout(&xietong(&["export", "--format", "dot"]));
    let drawn = dot.lines().filter(|l| l.contains(" -> ") && !l.trim_start().starts_with("\"legend/")).count();
    assert_eq!(total, drawn, "{text}");
    for part in ["entities by class", "relations by property", "most connected", "connected components"] {
        assert!(text.contains(part), "{part} missing: {text}");
    }
    for cmd in ["path", "stats"] {
        assert!(stdout(&run_in(&repo(), &[cmd, "--help"])).contains("Example"), "{cmd} --help has no example");
    }
}
