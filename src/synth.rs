//! A deterministic generator of synthetic articles in the style of seeds/,
//! for benchmarks: sentences from templates of each relation kind the rules
//! know, names composed from realistic parts (places from the lexicon,
//! invented proper names, type suffixes, ordinals) so that resolution has real
//! work (abbreviations, short forms, coreference), with bylines and page
//! furniture. The names are invented: nothing here is a fact of any article.

use crate::knowledge::Knowledge;

/// Invented proper names of schools (none is taken from the articles).
const PROPER: [&str; 40] = [
    "育英", "明德", "启航", "博雅", "致远", "弘毅", "求实", "崇文", "翠微", "青蓝", "春晖", "立德", "树人", "润泽", "天成", "和光", "嘉禾", "文汇", "星河", "晨曦", "书香", "知行",
    "笃学", "敏行", "思源", "鸿志", "凌云", "正心", "朝晖", "德润", "金帆", "银杏", "泓文", "景行", "泰和", "安澜", "清源", "汇才", "卓越", "远航",
];
const SURNAMES: [&str; 16] = ["王", "李", "张", "刘", "陈", "杨", "赵", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "林"];
const GIVEN: [&str; 16] = ["建国", "文博", "志强", "海燕", "立新", "晓明", "红梅", "国华", "静", "磊", "敏", "伟", "春生", "丽", "军", "芳"];
const TITLES: [&str; 6] = ["党委书记", "校长", "党委副书记、院长", "副主任", "主任", "园长"];
const FIELDS: [&str; 6] = ["智能制造", "护理", "托育", "养老服务", "现代物流", "电子商务"];
const PUBLISHERS: [&str; 4] = ["京津冀教育网", "协同发展报", "河北教育在线", "首都教育资讯"];
const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// xorshift64*: small, seeded and the same on every machine.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }
    fn pick<'a, T: ?Sized>(&mut self, xs: &'a [&'a T]) -> &'a T {
        xs[(self.next_u64() % xs.len() as u64) as usize]
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// A school with its full name and the short form the text may also use.
struct School {
    full: String,
    short: String,
}

struct Places {
    beijing: Vec<String>,
    tianjin: Vec<String>,
    hebei: Vec<String>,
}

fn places(k: &Knowledge) -> Places {
    let mut p = Places { beijing: Vec::new(), tianjin: Vec::new(), hebei: Vec::new() };
    for e in &k.lexicon.entries {
        if !matches!(e.class.as_str(), "District" | "City") || e.aliases.is_empty() {
            continue;
        }
        let short = e.aliases[0].clone();
        match k.lexicon.province_of(&e.id).as_deref() {
            Some("place/11") => p.beijing.push(short),
            Some("place/12") => p.tianjin.push(short),
            Some("place/13") => p.hebei.push(short),
            _ => {}
        }
    }
    p
}

fn school(rng: &mut Rng, place: &str) -> School {
    let proper = rng.pick(&PROPER);
    match rng.below(5) {
        0 => {
            let n = NUMERALS[rng.below(9) as usize];
            School { full: format!("{place}第{n}中学"), short: format!("{place}{n}中") }
        }
        1 => School { full: format!("{place}{proper}小学"), short: format!("{proper}小学") },
        2 => School { full: format!("{place}{proper}幼儿园"), short: format!("{proper}幼儿园") },
        3 => School { full: format!("{place}{proper}职业技术学院"), short: format!("{place}{proper}职业技术学院") },
        _ => School { full: format!("{place}{proper}高级中学"), short: format!("{proper}高级中学") },
    }
}

fn person(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(&SURNAMES), rng.pick(&GIVEN))
}

/// The file name and text of synthetic article `i` of a corpus seeded with `seed`.
pub fn article(k: &Knowledge, seed: u64, i: usize) -> (String, String) {
    let mut rng = Rng(seed ^ (i as u64).wrapping_mul(0x9E3779B97F4A7C15) | 1);
    let p = places(k);
    let bj = rng.pick(&p.beijing.iter().map(String::as_str).collect::<Vec<_>>()).to_string();
    let tj = rng.pick(&p.tianjin.iter().map(String::as_str).collect::<Vec<_>>()).to_string();
    let hb = rng.pick(&p.hebei.iter().map(String::as_str).collect::<Vec<_>>()).to_string();
    let a = school(&mut rng, &bj);
    let b = school(&mut rng, &hb);
    let c = school(&mut rng, &tj);
    let d = school(&mut rng, &hb);
    let year = 2018 + rng.below(8);
    let (month, day) = (1 + rng.below(12), 1 + rng.below(28));
    let policy = format!("京津冀{}协同发展实施方案", rng.pick(&["职业教育", "基础教育", "学前教育", "高等教育"]));
    let (who1, who2, who3) = (person(&mut rng), person(&mut rng), person(&mut rng));
    let n1 = 2 + rng.below(300);
    let pct = rng.below(100);
    let field = rng.pick(&FIELDS);
    let mut t = String::new();
    t.push_str(&format!("# source: http://news.example.org/{year}/{month:02}{day:02}/{i}.html\n\n"));
    t.push_str(&format!("{}与{}开展合作办学\n\n", a.full, b.full));
    t.push_str(&format!("{} {year}-{month:02}-{day:02} 09:30 来源:{}\n\n", rng.pick(&PUBLISHERS), rng.pick(&PUBLISHERS)));
    t.push_str(&format!(
        "【{}】{month}月{day}日,{year}年京津冀{}教育协作座谈会在{bj}会议中心举行。北京市教委、天津市教委、河北省教育厅在会上共同签署《{policy}({year}年-{}年)》。根据《{policy}》要求,三地将关注雄安新区、{hb}等重点区域,并围绕{field}等产业需求加大合作培养力度。\n\n",
        rng.pick(&PUBLISHERS),
        hb,
        year + 2
    ));
    t.push_str(&format!(
        "目前,{}已与{}签订结对帮扶协议,{}选派团队援助{}办学。{}、{}等学校还将对接雄安新区,开展调研培训等支持合作。\n\n",
        a.full, b.full, a.short, d.full, c.full, a.short
    ));
    t.push_str(&format!(
        "{}党委书记{who1}表示,该校将继续深化与{}的合作。同时,该校还与{}合作开展了跨省“3+2”联合培养试点。此外,{}{hb}校区也已挂牌成立。\n\n",
        b.full, c.short, d.full, a.full
    ));
    t.push_str(&format!(
        "天津市教委{}{who2}介绍,{tj}将持续推进两地交流,{}由{}托管,接受{}提供的办学指导。目前,{hb}已有{n1}所学校参与合作,超过{pct}%的毕业生在京津就业。\n\n",
        rng.pick(&TITLES),
        d.short,
        c.full,
        c.full
    ));
    t.push_str(&format!("“下一步,我们将聚焦《{policy}》提出的任务再发力。”{who3}说道\n\n"));
    t.push_str("相关文章\n京津冀教育协同发展成果丰硕\n职业教育跨省合作再上新台阶\n\n免责声明:本网转载作品仅供参考,版权归原作者所有。\n");
    (format!("{i:06}.txt"), t)
}
