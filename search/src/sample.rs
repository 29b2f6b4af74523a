//! A synthetic lawyer directory for benchmarks and tests: plausible names (with the polyphonic and compound
//! surnames the search must read correctly), firms, practice areas and Qianjiang townships. Deterministic:
//! the same seed gives the same directory. The people and firms are invented.

use super::index::{FieldKind, Record};

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
    "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯",
    "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "覃", "单", "解",
    "仇", "区", "查", "翟", "乐", "缪", "欧阳", "司马", "诸葛", "上官",
];

const GIVEN: &[char] = &[
    '伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明',
    '超', '秀', '霞', '平', '刚', '桂', '英', '华', '玉', '兰', '萍', '红', '鹏', '辉', '建', '国',
    '志', '文', '斌', '宇', '浩', '凯', '健', '俊', '帆', '帅', '旭', '宁', '龙', '林', '欣', '佳',
    '晨', '阳', '琳', '雪', '梅', '婷', '倩', '瑶', '乐', '重', '行', '长', '朝', '和', '莉', '波',
    '峰', '春', '燕', '飞',
];

const FIRM_WORDS: &[&str] = &[
    "黔江",
    "武陵",
    "正阳",
    "濯水",
    "阿蓬江",
    "渝东南",
    "民生",
    "公正",
    "诚信",
    "明德",
    "正大",
    "中和",
    "天平",
    "维权",
    "长城",
    "信达",
    "百川",
    "金盾",
    "众合",
    "东方",
];

const AREAS: &[&str] = &[
    "婚姻家庭",
    "劳动争议",
    "工伤赔偿",
    "交通事故",
    "合同纠纷",
    "民间借贷",
    "刑事辩护",
    "房产纠纷",
    "土地承包",
    "医疗纠纷",
    "继承",
    "行政诉讼",
    "公司法务",
    "知识产权",
    "征地拆迁",
];

const TOWNSHIPS: &[&str] = &[
    "城东街道",
    "城南街道",
    "城西街道",
    "正阳街道",
    "舟白街道",
    "冯家街道",
    "濯水镇",
    "阿蓬江镇",
    "石会镇",
    "黑溪镇",
    "黄溪镇",
    "黎水镇",
    "金溪镇",
    "马喇镇",
    "鹅池镇",
    "小南海镇",
    "邻鄂镇",
    "中塘镇",
    "沙坝镇",
    "白石镇",
];

/// A small deterministic generator (SplitMix64), enough to vary the sample.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let len = u64::try_from(items.len()).expect("short list");
        &items[usize::try_from(self.next() % len).expect("fits")]
    }
}

/// `count` invented lawyers, each with a name, a firm, one to three practice areas, a township and a
/// licence number.
pub fn lawyers(count: usize, seed: u64) -> Vec<Record> {
    let mut rng = Rng(seed);
    (0..count)
        .map(|n| {
            let mut name = (*rng.pick(SURNAMES)).to_owned();
            name.push(*rng.pick(GIVEN));
            if !rng.next().is_multiple_of(3) {
                name.push(*rng.pick(GIVEN));
            }
            let firm = format!("重庆{}律师事务所", rng.pick(FIRM_WORDS));
            let mut record = Record::new()
                .with(FieldKind::Name, name)
                .with(FieldKind::Firm, firm);
            let areas = 1 + rng.next() % 3;
            for _ in 0..areas {
                record = record.with(FieldKind::Area, *rng.pick(AREAS));
            }
            record
                .with(FieldKind::Township, *rng.pick(TOWNSHIPS))
                .with(FieldKind::Other, format!("1500120{:010}", n))
        })
        .collect()
}
