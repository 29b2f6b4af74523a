//! Pinyin input with the bundled word list and local lexicon, and the composer the keyboard drives.

use search::{Composer, Ime};

fn texts(pinyin: &str, limit: usize) -> Vec<String> {
    Ime::builtin()
        .candidates(pinyin, limit)
        .into_iter()
        .map(|c| c.text)
        .collect()
}

#[test]
fn legal_and_local_terms_come_first() {
    assert_eq!(texts("falvyuanzhu", 5)[0], "法律援助");
    assert_eq!(texts("qianjiang", 5)[0], "黔江");
    assert!(texts("qianjiang", 5).contains(&"钱江".to_owned()));
    assert_eq!(texts("qianjiangqu", 5)[0], "黔江区");
    assert_eq!(texts("zhuoshui", 5)[0], "濯水");
    assert_eq!(texts("renmintiaojie", 5)[0], "人民调解");
    assert_eq!(texts("sifajianding", 5)[0], "司法鉴定");
    assert_eq!(texts("gongzheng", 5)[0], "公证");
    assert_eq!(texts("shanyangfei", 5)[0], "赡养费");
    assert_eq!(texts("gongshang", 5)[0], "工伤");
    assert_eq!(texts("laodongzhongcai", 5)[0], "劳动仲裁");
    assert_eq!(texts("chongqing", 5)[0], "重庆");
}

#[test]
fn initials_give_common_words() {
    let zs = texts("zs", 10);
    assert_eq!(zs.len(), 10);
    assert!(zs.iter().all(|w| w.chars().count() == 2), "{zs:?}");
    assert!(
        zs.iter()
            .any(|w| ["知识", "这是", "正式", "战术", "这身", "只是"].contains(&w.as_str())),
        "{zs:?}"
    );
    assert_eq!(texts("flyz", 3)[0], "法律援助");
    assert_eq!(texts("fl", 3)[0], "法律");
}

#[test]
fn mixed_and_apostrophes() {
    assert!(texts("zhangs", 10).contains(&"张三".to_owned()));
    assert_eq!(texts("falvyz", 3)[0], "法律援助");
    assert_eq!(texts("xi'an", 3)[0], "西安");
    assert_eq!(texts("FaLv", 3)[0], "法律");
}

#[test]
fn single_letters_give_common_characters() {
    let d = texts("d", 5);
    assert!(d.contains(&"的".to_owned()), "{d:?}");
    assert!(d.iter().all(|w| w.chars().count() == 1));
    assert!(texts("", 5).is_empty());
    assert!(texts("123", 5).is_empty());
}

#[test]
fn first_syllables_follow_the_whole_input() {
    let all = Ime::builtin().candidates("falvyuanzhu", 40);
    assert_eq!(all[0].text, "法律援助");
    assert_eq!(all[0].consumed, 11);
    let falv = all
        .iter()
        .find(|c| c.text == "法律")
        .expect("法律 for the first two syllables");
    assert_eq!(falv.consumed, 4);
    let positions: Vec<usize> = all.iter().map(|c| c.consumed).collect();
    assert!(
        positions.windows(2).all(|w| w[0] >= w[1]),
        "longest first: {positions:?}"
    );
}

#[test]
fn composer_converts_in_steps() {
    let mut composer = Composer::new(Ime::builtin(), 5, 100);
    for c in "falvyuanzhu".chars() {
        assert!(composer.type_letter(c));
    }
    assert_eq!(composer.query(), "falvyuanzhu");
    assert_eq!(composer.page()[0].text, "法律援助");
    // Take 法律 alone: the rest stays as pinyin.
    let mut index = None;
    while index.is_none() {
        index = composer.page().iter().position(|c| c.text == "法律");
        if index.is_none() {
            assert!(composer.has_next_page(), "法律 is on some page");
            composer.turn_page(1);
        }
    }
    assert!(composer.pick_candidate(index.unwrap()));
    assert_eq!(composer.text(), "法律");
    assert_eq!(composer.pinyin(), "yuanzhu");
    assert_eq!(composer.query(), "法律yuanzhu");
    assert!(
        !composer.has_previous_page(),
        "a new input starts at page one"
    );
    assert_eq!(composer.page()[0].text, "援助");
    composer.space();
    assert_eq!(composer.text(), "法律援助");
    assert_eq!(composer.pinyin(), "");
    assert!(composer.page().is_empty());
    composer.backspace();
    assert_eq!(composer.text(), "法律援");
    composer.type_letter('x');
    composer.backspace();
    assert_eq!(composer.query(), "法律援");
    composer.type_text("12348");
    assert_eq!(composer.finish(), "法律援12348");
    composer.clear();
    assert_eq!(composer.query(), "");
}

#[test]
fn composer_limits_and_leftover_pinyin() {
    let mut composer = Composer::new(Ime::builtin(), 4, 5);
    assert!(!composer.type_letter('\''), "no apostrophe first");
    for c in "abc".chars() {
        composer.type_letter(c);
    }
    assert_eq!(composer.page().len(), 4);
    composer.turn_page(-3);
    assert!(!composer.has_previous_page());
    composer.type_text("12");
    assert_eq!(
        composer.text(),
        "abc12",
        "pending letters are kept as typed"
    );
    assert!(!composer.type_text("3"), "the text is full");
    assert!(!composer.type_letter('a'));
    assert_eq!(composer.finish(), "abc12");
}
