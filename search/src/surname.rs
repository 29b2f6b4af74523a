//! How surnames are read: the polyphonic characters whose surname reading differs from the everyday one, and
//! the compound (two-character) surnames. Seeded from common reference lists of Chinese surnames and checked
//! against the `pinyin` crate's readings by the tests below.

/// Compound surnames, matched before single characters, with the reading of each character.
const COMPOUND: &[(&str, [&str; 2])] = &[
    ("欧阳", ["ou", "yang"]),
    ("司马", ["si", "ma"]),
    ("诸葛", ["zhu", "ge"]),
    ("上官", ["shang", "guan"]),
    ("尉迟", ["yu", "chi"]),
    ("万俟", ["mo", "qi"]),
    ("单于", ["chan", "yu"]),
    ("长孙", ["zhang", "sun"]),
    ("令狐", ["ling", "hu"]),
    ("澹台", ["tan", "tai"]),
    ("皇甫", ["huang", "fu"]),
    ("东方", ["dong", "fang"]),
    ("夏侯", ["xia", "hou"]),
    ("公孙", ["gong", "sun"]),
    ("慕容", ["mu", "rong"]),
    ("宇文", ["yu", "wen"]),
    ("南宫", ["nan", "gong"]),
    ("闻人", ["wen", "ren"]),
    ("西门", ["xi", "men"]),
    ("司徒", ["si", "tu"]),
    ("司空", ["si", "kong"]),
    ("呼延", ["hu", "yan"]),
    ("端木", ["duan", "mu"]),
    ("轩辕", ["xuan", "yuan"]),
    ("钟离", ["zhong", "li"]),
    ("宗政", ["zong", "zheng"]),
    ("濮阳", ["pu", "yang"]),
    ("太史", ["tai", "shi"]),
    ("申屠", ["shen", "tu"]),
    ("公冶", ["gong", "ye"]),
    ("赫连", ["he", "lian"]),
    ("拓跋", ["tuo", "ba"]),
    ("百里", ["bai", "li"]),
    ("第五", ["di", "wu"]),
];

/// Single-character surnames whose surname reading is not the character's most common reading.
const SINGLE: &[(char, &str)] = &[
    ('曾', "zeng"),
    ('单', "shan"),
    ('解', "xie"),
    ('仇', "qiu"),
    ('区', "ou"),
    ('朴', "piao"),
    ('查', "zha"),
    ('盖', "ge"),
    ('覃', "qin"),
    ('翟', "zhai"),
    ('乐', "yue"),
    ('缪', "miao"),
    ('种', "chong"),
    ('繁', "po"),
    ('尉', "wei"),
    ('长', "chang"),
    ('重', "chong"),
    ('員', "yun"),
    ('员', "yun"),
    ('秘', "bi"),
    ('召', "shao"),
    ('句', "gou"),
    ('柏', "bai"),
    ('薄', "bo"),
    ('卜', "bu"),
    ('折', "she"),
    ('宁', "ning"),
    ('燕', "yan"),
    ('相', "xiang"),
    ('任', "ren"),
    ('华', "hua"),
    ('冼', "xian"),
    ('洗', "xian"),
    ('莘', "shen"),
    ('能', "nai"),
    ('隗', "wei"),
    ('祭', "zhai"),
    ('禚', "zhuo"),
    ('厍', "she"),
    ('蕃', "pi"),
    ('便', "pian"),
    ('应', "ying"),
    ('过', "guo"),
    ('都', "du"),
    ('那', "na"),
    ('曲', "qu"),
    ('石', "shi"),
    ('牟', "mou"),
    ('褚', "chu"),
    ('阚', "kan"),
    ('訾', "zi"),
    ('谌', "chen"),
    ('郇', "huan"),
    ('隽', "juan"),
    ('蔚', "yu"),
    ('圈', "quan"),
    ('吕', "lv"),
    ('沈', "shen"),
    ('纪', "ji"),
    ('贲', "ben"),
    ('炅', "gui"),
    ('阿', "a"),
    ('万', "wan"),
];

/// The surname at the start of a personal name: how many characters it takes and the reading of each.
/// Returns `None` if the name does not start with a listed surname (its characters then read as usual).
pub(crate) fn surname_readings(name: &str) -> Option<Vec<&'static str>> {
    for (surname, readings) in COMPOUND {
        if name.starts_with(surname) {
            return Some(readings.to_vec());
        }
    }
    let first = name.chars().next()?;
    SINGLE
        .iter()
        .find(|(c, _)| *c == first)
        .map(|(_, reading)| vec![*reading])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reading::readings;

    #[test]
    fn every_listed_reading_is_one_the_character_has() {
        let pairs = COMPOUND
            .iter()
            .flat_map(|(surname, syllables)| surname.chars().zip(syllables.iter().copied()))
            .chain(SINGLE.iter().copied());
        let wrong: Vec<_> = pairs
            .filter(|(c, syllable)| !readings(*c).iter().any(|r| r == syllable))
            .map(|(c, syllable)| format!("{c} {syllable} {:?}", readings(c)))
            .collect();
        assert!(wrong.is_empty(), "readings the characters lack: {wrong:?}");
    }

    #[test]
    fn compound_surnames_win_over_single_ones() {
        assert_eq!(surname_readings("单于明"), Some(vec!["chan", "yu"]));
        assert_eq!(surname_readings("单小明"), Some(vec!["shan"]));
        assert_eq!(surname_readings("万俟卨"), Some(vec!["mo", "qi"]));
        assert_eq!(surname_readings("张三"), None);
    }
}
