//! Facts the name grammar reads from the shape of names and phrases, on
//! invented sentences: a campus's parent, a unit's organisation, a person's
//! post, a list of places called 三地, a policy's period, a founding year.

use xietong::model::Object;
use xietong::pipeline::{extract_corpus, Input};
use xietong::text::norm;

use crate::common::*;

/// The extraction of invented articles, one a text, as a corpus.
fn extract(texts: &[&str]) -> xietong::pipeline::InMemoryArticles {
    let inputs: Vec<Input> = texts.iter().enumerate().map(|(i, t)| Input { name: format!("{i}.txt"), bytes: t.as_bytes().to_vec() }).collect();
    extract_corpus(&inputs, knowledge())
}

fn check(text: &str, subject: &str, property: &str, object: &str) {
    let corpus = extract(&[text]);
    let x = &corpus.extractions[0];
    let names = |id: &str| entity_names(&corpus, id);
    let found = x.relations.iter().any(|r| {
        r.property == property
            && names(&r.subject).contains(&norm(subject))
            && match &r.object {
                Object::Entity(o) => names(o).contains(&norm(object)),
                Object::Text(t) | Object::Date(t) => t.starts_with(object),
            }
    });
    let got: Vec<String> = x.relations.iter().map(|r| format!("{} {} {:?} [{}]", r.subject, r.property, r.object, r.rule)).collect();
    assert!(found, "“{text}” should give {subject} {property} {object}; got {got:#?}");
}

#[test]
fn a_campus_belongs_to_the_school_its_name_begins_with() {
    check("北京第九十中学香河校区已挂牌成立。", "北京第九十中学香河校区", "branchOf", "北京第九十中学");
    check("北京第九十中学香河校区已挂牌成立。", "北京第九十中学香河校区", "nameLocatedIn", "香河县");
}

#[test]
fn a_unit_belongs_to_the_authority_before_it() {
    check("保定市教育局职成科科长王力表示,将加强合作。", "保定市教育局职成科", "subOrganizationOf", "保定市教育局");
}

#[test]
fn a_person_works_for_the_organisation_and_units_of_the_title() {
    // The unit 管委会 of the title is the 雄安新区管委会 the article names.
    let s = "雄安新区管委会召开会议。雄安新区党工委副书记、管委会常务副主任张明远表示,将深化合作。";
    check(s, "张明远", "worksFor", "雄安新区管委会");
    check(s, "张明远", "jobTitle", "副书记、管委会常务副主任");
    check("保定华信职业学院党委书记王力说,学院将扩大招生。", "王力", "worksFor", "保定华信职业学院");
}

#[test]
fn a_list_of_places_called_three_places_is_a_group() {
    check("北京市、天津市、河北省三地教育部门召开座谈会。", "天津市", "memberOf", "京津冀");
}

#[test]
fn dates_come_from_the_name_and_the_sentence() {
    check("三地签署《京津冀学前教育发展方案(2024年-2026年)》。", "京津冀学前教育发展方案(2024年-2026年)", "startDate", "2024");
    check("三地签署《京津冀学前教育发展方案(2024年-2026年)》。", "京津冀学前教育发展方案(2024年-2026年)", "endDate", "2026");
    check("保定华信职业学院成立于2015年,是一所高职院校。", "保定华信职业学院", "foundingDate", "2015");
}

fn people(text: &str) -> Vec<String> {
    let corpus = extract(&[text]);
    corpus.extractions[0].mentions.iter().filter(|m| m.class == "Person").map(|m| m.surface.clone()).collect()
}

#[test]
fn a_title_may_follow_the_name() {
    let s = "保定华信职业学院王力校长表示,学院将扩大招生。";
    check(s, "王力", "worksFor", "保定华信职业学院");
    check(s, "王力", "jobTitle", "校长");
}

#[test]
fn a_list_of_people_shares_the_organisation_of_the_item_before() {
    let s = "保定市教育局副局长王力、职成科长赵明、保定华信职业学院孙强、教学副校长周敏、实习处主任吴刚出席。";
    check(s, "王力", "worksFor", "保定市教育局");
    check(s, "赵明", "worksFor", "保定市教育局");
    check(s, "赵明", "jobTitle", "职成科长");
    check(s, "孙强", "worksFor", "保定华信职业学院");
    check(s, "周敏", "worksFor", "保定华信职业学院");
    check(s, "周敏", "jobTitle", "教学副校长");
    check(s, "吴刚", "jobTitle", "实习处主任");
}

#[test]
fn titles_chain_and_stand_alone_before_a_name() {
    let s = "市委常委、宣传部长钱进,副市长欧阳明出席。";
    check(s, "钱进", "jobTitle", "市委常委、宣传部长");
    check(s, "欧阳明", "jobTitle", "副市长");
    check("会议由处长一级调研员孙强主持。", "孙强", "jobTitle", "处长一级调研员");
}

#[test]
fn a_name_does_not_end_inside_a_title() {
    let s = "河间大学校长孙强表示,将深化合作。";
    check(s, "孙强", "worksFor", "河间大学");
    let corpus = extract(&[s]);
    assert!(corpus.extractions[0].mentions.iter().all(|m| m.surface != "河间大学校"), "{:?}", corpus.extractions[0].mentions);
}

#[test]
fn no_person_without_a_surname_and_a_title() {
    for s in ["全体校长会议在保定召开。", "各位校长表示支持。", "保定华信职业学院全体教师出席。"] {
        assert!(people(s).is_empty(), "{s}: {:?}", people(s));
    }
}

fn names(text: &str) -> Vec<(String, String)> {
    let corpus = extract(&[text]);
    corpus.extractions[0].mentions.iter().map(|m| (m.surface.clone(), m.class.to_string())).collect()
}

fn has(text: &str, surface: &str, class: &str) -> bool {
    names(text).iter().any(|(s, c)| s == surface && c == class)
}

#[test]
fn a_quoted_word_is_a_program_only_when_it_reads_as_a_scheme() {
    assert!(has("两校将以“手拉手”方式开展合作。", "“手拉手”", "Program"));
    assert!(has("北京将继续支持“建五”学校提升办学水平。", "“建五”", "Program"));
    assert!(has("三地将开展“名校带新校”,提升质量。", "“名校带新校”", "Program"));
    for s in ["孩子们说“真好玩”。", "学校坚持“走出去”和“引进来”相结合。", "不少“回炉”学生重返课堂。"] {
        assert!(names(s).iter().all(|(_, c)| c != "Program"), "{s}: {:?}", names(s));
    }
}

#[test]
fn a_count_or_a_phrase_is_no_name() {
    for s in ["全市20余所学校参加了活动。", "要重点帮助农村学校发展。", "推动经济发展和学校建设。", "两地学校开展交流。"] {
        assert!(names(s).iter().all(|(_, c)| c != "School"), "{s}: {:?}", names(s));
    }
}

#[test]
fn an_event_name_begins_after_its_parties_and_demonstratives() {
    assert!(has("保定华信职业学院、廊坊博远职业技术学院对口帮扶签约仪式在保定举行。", "对口帮扶签约仪式", "Event"));
    for s in ["此次座谈会取得圆满成功。", "会议在第五会议室举行。", "双方举行了签约仪式。"] {
        assert!(names(s).iter().all(|(_, c)| c != "Event"), "{s}: {:?}", names(s));
    }
}

#[test]
fn a_list_closed_by_a_word_for_fields_names_fields() {
    let s = "学院将提升法学、社会学、数学等学科的水平。";
    for f in ["法学", "社会学", "数学"] {
        assert!(has(s, f, "Field"), "{f}: {:?}", names(s));
    }
    // One member is no list; 方面 is no word for fields.
    assert!(names("学院将提升数学等学科的水平。").iter().all(|(_, c)| c != "Field"));
    assert!(names("双方在课程建设、师资培养等方面合作。").iter().all(|(_, c)| c != "Field"));
}

#[test]
fn a_place_its_neighbour_does_not_contain_is_part_of_the_name() {
    // 昆明 lies in Yunnan, not in 和平区: 昆明路 is a road of Tianjin.
    let s = "天津市和平区昆明路小学与保定市第一中学结对。";
    assert!(has(s, "天津市和平区昆明路小学", "PrimarySchool"), "{:?}", names(s));
    check(s, "天津市和平区昆明路小学", "nameLocatedIn", "和平区");
}

#[test]
fn a_person_after_a_title_holds_the_place_names_inside_the_name() {
    check("保定市教育局副局长孙金华出席。", "孙金华", "worksFor", "保定市教育局");
}

#[test]
fn a_university_may_be_named_by_its_place_alone() {
    assert!(has("河北大学与天津大学签订合作协议。", "河北大学", "HigherEducationInstitution"));
    assert!(has("保定教育学院与承德师范学院开展合作。", "保定教育学院", "HigherEducationInstitution"));
    assert!(has("保定教育学院与承德师范学院开展合作。", "承德师范学院", "HigherEducationInstitution"));
    // A place and a generic suffix that is no type of university are no name.
    assert!(names("北京市优质学校参加了活动。").iter().all(|(_, c)| c != "School"));
    assert!(names("建设世界一流大学。").iter().all(|(_, c)| c != "HigherEducationInstitution"));
}

#[test]
fn an_agreement_name_begins_after_the_verb_that_carries_it_out() {
    assert!(names("三地将细化合作协议。").iter().all(|(_, c)| c != "Agreement"), "{:?}", names("三地将细化合作协议。"));
    assert!(has("双方签订了京津冀职业教育协同发展总体框架协议。", "京津冀职业教育协同发展总体框架协议", "Agreement"));
}

#[test]
fn the_publisher_speaking_is_the_first_organisation_of_its_kind() {
    // 我校 on a university's own page: the university named later.
    let s = "我校与保定市签署合作协议。河间大学校长孙强出席并讲话。";
    check(s, "河间大学", "cooperatesWith", "保定市");
}

/// The entity each mention of `surface` in article `i` refers to.
fn entities_of(corpus: &xietong::pipeline::InMemoryArticles, i: usize, surface: &str) -> Vec<String> {
    let x = &corpus.extractions[i];
    x.mentions.iter().zip(&x.mention_entities).filter(|(m, _)| m.surface == surface).flat_map(|(_, ids)| ids.iter().map(|id| id.to_string())).collect()
}

#[test]
fn a_name_in_a_list_of_one_province_is_of_that_province() {
    let texts = ["北京市启明幼儿园与保定市签订协议。", "雄安启明幼儿园今年开园。", "启明幼儿园、北京十一中等学校承办了活动。"];
    let corpus = extract(&texts);
    let beijing = entities_of(&corpus, 0, "北京市启明幼儿园");
    assert!(!beijing.is_empty());
    assert_eq!(entities_of(&corpus, 2, "启明幼儿园"), beijing);
    assert_ne!(entities_of(&corpus, 1, "雄安启明幼儿园"), beijing);
}

#[test]
fn a_list_after_a_pairing_word_is_one_side_of_the_pair() {
    let s = "天津市政府与河间大学、沧南学院等高校深化合作。";
    check(s, "天津市政府", "cooperatesWith", "河间大学");
    let corpus = extract(&[s]);
    let x = &corpus.extractions[0];
    let a = entities_of(&corpus, 0, "河间大学");
    let b = entities_of(&corpus, 0, "沧南学院");
    assert!(
        !x.relations.iter().any(|r| r.property == "cooperatesWith" && a.contains(&r.subject.to_string()) && matches!(&r.object, Object::Entity(o) if b.contains(&o.to_string()))),
        "{:?}",
        x.relations
    );
}

#[test]
fn words_that_look_like_verbs_or_descriptions_may_be_a_name() {
    assert!(has("保定联合大学与天津市签订协议。", "保定联合大学", "HigherEducationInstitution"));
    assert!(has("京津冀康养教育联盟在天津成立。", "京津冀康养教育联盟", "Alliance"));
    assert!(has("河间大学生物学科发展迅速。", "河间大学", "HigherEducationInstitution"));
    assert!(names("河间大学生毕业后就业。").iter().all(|(s, _)| s != "河间大学"));
    check("北京市启明幼儿园雄安院区开园。", "北京市启明幼儿园雄安院区", "branchOf", "北京市启明幼儿园");
}

#[test]
fn a_founding_is_dated_by_the_year_before_the_word_or_the_day_of_the_sentence() {
    check("自1956年建校以来,河间大学培养了大批人才。", "河间大学", "foundingDate", "1956");
    check("2019年5月8日,京津冀康养职教集团成立大会在保定举行。", "京津冀康养职教集团", "foundingDate", "2019-05-08");
}

#[test]
fn a_space_may_stand_between_a_post_and_a_name() {
    check("保定市教育局局长 王力:今年将新建学校。", "王力", "jobTitle", "局长");
}

#[test]
fn a_verb_between_a_place_and_a_school_suffix_is_a_verb() {
    assert!(names("保定市支持容城县建设幼儿园。").iter().all(|(_, c)| c != "Kindergarten"), "{:?}", names("保定市支持容城县建设幼儿园。"));
}

#[test]
fn bureaus_of_education_and_sports_zones_and_studios_are_named() {
    let s = "沧县教体局与廊坊经济开发区签订协议,保定市教育和体育局局长王力出席,王力名师工作室同日挂牌。";
    assert!(has(s, "沧县教体局", "EducationAuthority"), "{:?}", names(s));
    assert!(has(s, "保定市教育和体育局", "EducationAuthority"), "{:?}", names(s));
    assert!(has(s, "廊坊经济开发区", "Place"), "{:?}", names(s));
    assert!(has(s, "王力名师工作室", "Program"), "{:?}", names(s));
}

#[test]
fn what_the_reviewers_found_to_misfire_does_not() {
    // A county of the new area keeps its place in the name.
    let texts = ["雄安新区雄县第三小学与保定市第一中学结对。", "雄县第三小学开展交流。"];
    let corpus = extract(&texts);
    assert_eq!(entities_of(&corpus, 0, "雄安新区雄县第三小学"), entities_of(&corpus, 1, "雄县第三小学"));
    // Two sides paired by 与 are not one list of one province.
    let texts = ["北京市第十一中学与启航中学签订协议。", "启航中学与保定市第三中学结对。"];
    let corpus = extract(&texts);
    assert_eq!(entities_of(&corpus, 0, "启航中学"), entities_of(&corpus, 1, "启航中学"));
    // A verb between a place and a suffix; people in a list head; units as people.
    assert!(names("河间大学与唐山市共建研究院。").iter().all(|(_, c)| c != "ResearchInstitute"));
    assert!(names("学院引进了王力、李明等学科带头人。").iter().all(|(_, c)| c != "Field"));
    assert!(people("天津市政府金融局局长出席。保定华信职业学院金融系主任讲话。").is_empty());
    // What 成立了 founds follows it.
    let s = "河间大学2019年成立了康养研究院。";
    let corpus = extract(&[s]);
    assert!(corpus.extractions[0].relations.iter().all(|r| r.property != "foundingDate" || entity_names(&corpus, &r.subject).iter().all(|n| n != "河间大学")));
}

#[test]
fn a_count_inside_a_quote_must_begin_it() {
    for s in ["孩子们唱起了“快乐星期五”。", "大家都叫他“李老师二号”。"] {
        assert!(names(s).iter().all(|(_, c)| c != "Program"), "{s}: {:?}", names(s));
    }
    // 本届 points at the event; the name follows it.
    assert_eq!(names("本届京津冀康养论坛在保定举行。")[0], ("京津冀康养论坛".to_string(), "Event".to_string()));
    assert!(has("两校开展“2+3”贯通培养。", "“2+3”贯通培养", "Program"), "{:?}", names("两校开展“2+3”贯通培养。"));
}

#[test]
fn an_agreement_named_by_its_parties_is_signed_by_them() {
    let s = "河间大学—沧州市人民政府合作办学协议已于昨日正式生效。";
    check(s, "河间大学", "signed", "河间大学—沧州市人民政府合作办学协议");
    check(s, "沧州市人民政府", "signed", "河间大学—沧州市人民政府合作办学协议");
}

#[test]
fn a_date_belongs_to_every_event_joined_to_the_first() {
    let s = "2024年6月3日,保定市职业教育活动周暨2024年京津冀职业学校技能大赛在保定举行。";
    check(s, "保定市职业教育活动周", "startDate", "2024-06-03");
    check(s, "2024年京津冀职业学校技能大赛", "startDate", "2024-06-03");
}
