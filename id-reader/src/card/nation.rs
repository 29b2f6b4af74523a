//! Nation (ethnic group) codes of GB 3304, including 97 其他 and 98 外国血统中国籍人士.

use std::fmt;

const NAMES: [&str; 56] = [
    "汉",
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
];

/// A GB 3304 nation code as printed on a resident ID card (`01` 汉 … `56` 基诺, `97`, `98`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nation(u8);

impl Nation {
    /// The code if it is in GB 3304 (1–56, 97, 98).
    pub fn from_code(code: u8) -> Option<Self> {
        matches!(code, 1..=56 | 97 | 98).then_some(Self(code))
    }

    /// Parses the two-digit field of the text block (`"01"`).
    pub fn parse(field: &str) -> Option<Self> {
        if field.len() != 2 || !field.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Self::from_code(field.parse().ok()?)
    }

    /// Looks a name up (`"汉"` or `"汉族"`).
    pub fn from_name(name: &str) -> Option<Self> {
        let bare = name.strip_suffix('族').unwrap_or(name);
        (1..=56u8)
            .chain([97, 98])
            .map(Self)
            .find(|n| n.name() == bare || n.name() == name)
    }

    /// The numeric code.
    pub fn code(self) -> u8 {
        self.0
    }

    /// The name as printed on the card (`"汉"`, `"其他"`, `"外国血统中国籍人士"`).
    pub fn name(self) -> &'static str {
        match self.0 {
            97 => "其他",
            98 => "外国血统中国籍人士",
            c => NAMES
                .get(usize::from(c).wrapping_sub(1))
                .copied()
                .unwrap_or("未知"),
        }
    }

    /// The name as kiosks display it: with 族 appended, except for 97 and 98 (`"汉族"`).
    pub fn display_name(self) -> String {
        match self.0 {
            97 | 98 => self.name().to_owned(),
            _ => format!("{}族", self.name()),
        }
    }
}

impl fmt::Display for Nation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_complete() {
        assert_eq!(Nation::parse("01").unwrap().name(), "汉");
        assert_eq!(Nation::parse("15").unwrap().name(), "土家");
        assert_eq!(Nation::parse("33").unwrap().name(), "羌");
        assert_eq!(Nation::parse("56").unwrap().name(), "基诺");
        assert_eq!(Nation::parse("97").unwrap().display_name(), "其他");
        assert_eq!(Nation::parse("98").unwrap().name(), "外国血统中国籍人士");
        assert_eq!(Nation::parse("01").unwrap().display_name(), "汉族");
        for bad in ["00", "57", "96", "99", "1", "a1", "001"] {
            assert_eq!(Nation::parse(bad), None, "{bad}");
        }
        for code in (1..=56).chain([97, 98]) {
            let n = Nation::from_code(code).unwrap();
            assert_eq!(Nation::from_name(n.name()), Some(n));
            assert_eq!(Nation::from_name(&n.display_name()), Some(n));
        }
    }
}
