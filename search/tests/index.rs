//! Directory search: pinyin initials, full and partial pinyin, Chinese characters and mixed queries, surname
//! readings, ranking and stability.

use search::{FieldKind, Hit, MatchKind, Record, SearchIndex, sample};

fn person(name: &str, firm: &str, areas: &[&str], township: &str) -> Record {
    let mut record = Record::new()
        .with(FieldKind::Name, name)
        .with(FieldKind::Firm, firm);
    for area in areas {
        record = record.with(FieldKind::Area, *area);
    }
    record.with(FieldKind::Township, township)
}

fn directory() -> Vec<Record> {
    vec![
        person("张三", "重庆正阳律师事务所", &["婚姻家庭"], "城西街道"),
        person("张三丰", "重庆武陵律师事务所", &["刑事辩护"], "濯水镇"),
        person("周顺", "重庆黔江律师事务所", &["劳动争议"], "城东街道"),
        person("曾小明", "重庆民生律师事务所", &["工伤赔偿"], "石会镇"),
        person("单雄信", "重庆诚信律师事务所", &["合同纠纷"], "黑溪镇"),
        person("解缙", "重庆明德律师事务所", &["继承"], "黎水镇"),
        person("仇英", "重庆天平律师事务所", &["民间借贷"], "金溪镇"),
        person("区志坚", "重庆中和律师事务所", &["交通事故"], "马喇镇"),
        person("欧阳修", "重庆百川律师事务所", &["行政诉讼"], "鹅池镇"),
        person("李三", "重庆张氏律师事务所", &["婚姻家庭"], "中塘镇"),
        Record::new()
            .with(FieldKind::Title, "黔江区法律援助中心")
            .with(FieldKind::Area, "法律援助"),
    ]
}

fn names(records: &[Record], hits: &[Hit]) -> Vec<String> {
    hits.iter()
        .map(|h| records[h.record].fields[0].1.clone())
        .collect()
}

fn search(query: &str) -> Vec<String> {
    let records = directory();
    let index = SearchIndex::build(&records);
    names(&records, &index.search(query, 20))
}

#[test]
fn initials_find_zhang_san_first() {
    let records = directory();
    let index = SearchIndex::build(&records);
    let hits = index.search("zs", 10);
    assert_eq!(names(&records, &hits)[0], "张三");
    assert_eq!(hits[0].kind, MatchKind::Initials);
    assert_eq!(hits[0].field, FieldKind::Name);
    // 张三丰 and 周顺 start with z-s too; 李三 only by its firm 张氏.
    let found = names(&records, &hits);
    assert!(found.contains(&"张三丰".to_owned()));
    assert!(found.contains(&"周顺".to_owned()));
    let li = found
        .iter()
        .position(|n| n == "李三")
        .expect("found by firm");
    assert!(li > found.iter().position(|n| n == "周顺").unwrap());
}

#[test]
fn full_pinyin_exact_beats_prefix() {
    let records = directory();
    let index = SearchIndex::build(&records);
    let hits = index.search("zhangsan", 10);
    assert_eq!(names(&records, &hits)[..2], ["张三", "张三丰"]);
    assert_eq!(hits[0].kind, MatchKind::Exact);
    assert_eq!(hits[1].kind, MatchKind::Prefix);
}

#[test]
fn partial_pinyin_prefixes() {
    assert_eq!(search("zhangs")[..2], ["张三", "张三丰"]);
    assert_eq!(search("zhang")[..2], ["张三", "张三丰"]);
    assert_eq!(search("zhangsanf"), ["张三丰"]);
    assert_eq!(search("ZhangSan")[0], "张三", "case is ignored");
    assert_eq!(search("zhang'san")[0], "张三", "apostrophes are ignored");
}

#[test]
fn chinese_characters_match_anywhere_exact_first() {
    let records = directory();
    let index = SearchIndex::build(&records);
    let hits = index.search("张三", 10);
    assert_eq!(names(&records, &hits)[..2], ["张三", "张三丰"]);
    assert_eq!(hits[0].kind, MatchKind::Exact);
    let three = search("三");
    assert_eq!(
        three[..2],
        ["张三", "张三丰"],
        "substring matches keep record order"
    );
    assert!(three.contains(&"李三".to_owned()));
    assert_eq!(search("援助"), ["黔江区法律援助中心"]);
}

#[test]
fn mixed_characters_and_pinyin() {
    assert_eq!(search("张s")[..2], ["张三", "张三丰"]);
    assert_eq!(search("zhang三")[..2], ["张三", "张三丰"]);
    assert_eq!(search("z三f"), ["张三丰"]);
}

#[test]
fn polyphonic_surnames_read_as_surnames() {
    for (query, name) in [
        ("zengxiaoming", "曾小明"),
        ("zxm", "曾小明"),
        ("shanxiongxin", "单雄信"),
        ("xiejin", "解缙"),
        ("qiuying", "仇英"),
        ("ouzhijian", "区志坚"),
        ("ouyangxiu", "欧阳修"),
        ("oyx", "欧阳修"),
    ] {
        let records = directory();
        let index = SearchIndex::build(&records);
        let hits = index.search(query, 5);
        assert_eq!(
            names(&records, &hits).first().map(String::as_str),
            Some(name),
            "{query}"
        );
        assert!(
            !hits[0].secondary_reading,
            "{query} uses the surname reading"
        );
    }
    for (name, reading) in [
        ("曾小明", "zeng xiao ming"),
        ("单雄信", "shan xiong xin"),
        ("解缙", "xie jin"),
        ("仇英", "qiu ying"),
        ("区志坚", "ou zhi jian"),
        ("万俟卨", "mo qi xie"),
        ("尉迟恭", "yu chi gong"),
    ] {
        assert_eq!(SearchIndex::reading_of(FieldKind::Name, name), reading);
    }
    // Outside names the everyday reading comes first: 黔江区 is qu, not ou.
    assert_eq!(
        SearchIndex::reading_of(FieldKind::Title, "黔江区"),
        "qian jiang qu"
    );
}

#[test]
fn everyday_readings_of_surnames_still_find_but_rank_lower() {
    let records = directory();
    let index = SearchIndex::build(&records);
    let hits = index.search("cengxiaoming", 5);
    assert_eq!(names(&records, &hits), ["曾小明"]);
    assert!(hits[0].secondary_reading);
    // Every heteronym of other fields is indexed: 重庆 as chongqing and as zhongqing.
    assert!(index.search("chongqing", 20).len() >= 10);
    assert_eq!(
        index.search("chongqing", 20).len(),
        index.search("zhongqing", 20).len()
    );
}

#[test]
fn other_fields_rank_below_names_of_the_same_kind() {
    let records = directory();
    let index = SearchIndex::build(&records);
    let hits = index.search("hunyin", 10);
    assert_eq!(names(&records, &hits), ["张三", "李三"]);
    assert!(hits.iter().all(|h| h.field == FieldKind::Area));
    let hits = index.search("zhuoshui", 10);
    assert_eq!(names(&records, &hits), ["张三丰"]);
    assert_eq!(hits[0].field, FieldKind::Township);
    assert_eq!(search("flyz"), ["黔江区法律援助中心"]);
}

#[test]
fn empty_or_unmatched_queries_find_nothing_and_limits_hold() {
    assert!(search("").is_empty());
    assert!(search("  ''").is_empty());
    assert!(search("xyzxyz").is_empty());
    let records = sample::lawyers(500, 7);
    let index = SearchIndex::build(&records);
    assert_eq!(index.len(), 500);
    assert_eq!(index.search("z", 25).len(), 25);
    assert!(index.search("z", 0).is_empty());
}

#[test]
fn results_are_stable_and_sorted() {
    let records = sample::lawyers(2000, 42);
    let index = SearchIndex::build(&records);
    for query in ["z", "zh", "wang", "wl", "婚姻", "1500120000000", "lvshi"] {
        let few = index.search(query, 30);
        let all = index.search(query, usize::MAX);
        assert_eq!(
            few[..],
            all[..few.len()],
            "{query}: a limit takes the best of all"
        );
        assert_eq!(
            few,
            index.search(query, 30),
            "{query}: same query, same order"
        );
        let keys: Vec<_> = all
            .iter()
            .map(|h| (h.kind, h.field, h.secondary_reading, h.record))
            .collect();
        assert!(keys.is_sorted(), "{query}: ranked");
    }
    let by_licence = index.search("15001200000000001", 5);
    assert_eq!(by_licence.len(), 1);
    assert_eq!(by_licence[0].record, 1);
}
