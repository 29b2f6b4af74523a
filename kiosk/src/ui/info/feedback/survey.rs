//! The needs survey (需求调查): three short questions answered by tapping, sent anonymously through
//! the outbox. The district plan asks the network to learn what citizens need; the survey asks which
//! services, which kinds of matter and which ways of being served, and nothing else (no free text,
//! no ticket, no phone), so nothing in it can name a person.

use content::NeedsSurvey;

/// One answer a citizen can tap: a stable id (what the centre counts) and its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SurveyChoice {
    /// Stable id, `[a-z_]`.
    pub id: &'static str,
    /// Label in Simplified Chinese.
    pub zh: &'static str,
    /// Label in English.
    pub en: &'static str,
}

const fn choice(id: &'static str, zh: &'static str, en: &'static str) -> SurveyChoice {
    SurveyChoice { id, zh, en }
}

/// The survey's questions, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyQuestion {
    /// 您需要哪些法律服务？
    Services,
    /// 您遇到的是哪类问题？
    Matters,
    /// 您希望怎样得到服务？
    Channels,
}

impl SurveyQuestion {
    /// Every question, by index.
    pub const ALL: [Self; 3] = [Self::Services, Self::Matters, Self::Channels];

    /// The question of an index from the page.
    pub fn from_index(index: i32) -> Option<Self> {
        usize::try_from(index)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
    }

    /// The answers to choose from.
    pub fn choices(self) -> &'static [SurveyChoice] {
        match self {
            Self::Services => &SERVICES,
            Self::Matters => &MATTERS,
            Self::Channels => &CHANNELS,
        }
    }
}

const SERVICES: [SurveyChoice; 8] = [
    choice("consultation", "法律咨询", "Legal advice"),
    choice("legal_aid", "法律援助", "Legal aid"),
    choice("mediation", "人民调解", "People's mediation"),
    choice("notary", "公证", "Notarisation"),
    choice("lawyer", "找律师", "Finding a lawyer"),
    choice("appraisal", "司法鉴定", "Forensic appraisal"),
    choice("publicity", "法律知识讲座", "Talks on the law"),
    choice("online", "电话或网上办理", "By phone or online"),
];

const MATTERS: [SurveyChoice; 10] = [
    choice(
        "marriage_family",
        "婚姻家庭、赡养",
        "Marriage, family, support",
    ),
    choice("inheritance", "继承", "Inheritance"),
    choice("neighbours", "邻里纠纷", "Neighbour disputes"),
    choice("debt", "借钱欠款、合同", "Loans, debts, contracts"),
    choice("homestead", "房屋、宅基地", "Houses and homesteads"),
    choice("land", "承包地、林地边界", "Farmland and forest boundaries"),
    choice(
        "injury",
        "人身损害、交通事故",
        "Injuries, traffic accidents",
    ),
    choice("wages", "欠工资", "Unpaid wages"),
    choice("work_injury", "工伤", "Work injuries"),
    choice("other", "其他", "Other"),
];

const CHANNELS: [SurveyChoice; 5] = [
    choice("centre", "到区公共法律服务中心", "At the district centre"),
    choice("station", "到镇（街道）工作站", "At the township station"),
    choice(
        "village_adviser",
        "找村（社区）法律顾问",
        "The village legal adviser",
    ),
    choice("hotline", "打12348热线", "The 12348 hotline"),
    choice("mobile", "用手机办理", "On a mobile phone"),
];

/// What the citizen has tapped so far, as indexes into each question's choices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SurveyAnswers {
    chosen: [Vec<usize>; 3],
}

impl SurveyAnswers {
    /// Taps an answer: chooses it, or un-chooses it when it was chosen. Unknown indexes are ignored.
    pub fn toggle(&mut self, question: SurveyQuestion, index: usize) {
        if index >= question.choices().len() {
            return;
        }
        let list = &mut self.chosen[question as usize];
        match list.iter().position(|&i| i == index) {
            Some(at) => {
                list.remove(at);
            }
            None => {
                list.push(index);
                list.sort_unstable();
            }
        }
    }

    /// Whether an answer is chosen.
    pub fn is_chosen(&self, question: SurveyQuestion, index: usize) -> bool {
        self.chosen[question as usize].contains(&index)
    }

    /// Whether nothing is chosen.
    pub fn is_empty(&self) -> bool {
        self.chosen.iter().all(Vec::is_empty)
    }

    /// The survey as the outbox sends it: the chosen ids of each question.
    pub fn to_survey(&self) -> NeedsSurvey {
        let ids = |question: SurveyQuestion| -> Vec<String> {
            self.chosen[question as usize]
                .iter()
                .map(|&i| question.choices()[i].id.to_owned())
                .collect()
        };
        NeedsSurvey {
            services: ids(SurveyQuestion::Services),
            matters: ids(SurveyQuestion::Matters),
            channels: ids(SurveyQuestion::Channels),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tap_chooses_and_a_second_tap_unchooses() {
        let mut answers = SurveyAnswers::default();
        assert!(answers.is_empty());
        answers.toggle(SurveyQuestion::Matters, 7);
        answers.toggle(SurveyQuestion::Matters, 1);
        answers.toggle(SurveyQuestion::Channels, 2);
        assert!(answers.is_chosen(SurveyQuestion::Matters, 7));
        let survey = answers.to_survey();
        assert_eq!(survey.matters, ["inheritance", "wages"]);
        assert_eq!(survey.channels, ["village_adviser"]);
        assert!(survey.services.is_empty());
        answers.toggle(SurveyQuestion::Matters, 7);
        answers.toggle(SurveyQuestion::Matters, 1);
        answers.toggle(SurveyQuestion::Channels, 2);
        assert!(answers.is_empty());
    }

    #[test]
    fn an_index_beyond_the_choices_is_ignored() {
        let mut answers = SurveyAnswers::default();
        answers.toggle(SurveyQuestion::Channels, CHANNELS.len());
        assert!(answers.is_empty());
        assert_eq!(SurveyQuestion::from_index(3), None);
        assert_eq!(SurveyQuestion::from_index(-1), None);
    }

    #[test]
    fn every_id_is_one_the_outbox_accepts_and_unique_within_its_question() {
        for question in SurveyQuestion::ALL {
            let ids: Vec<&str> = question.choices().iter().map(|c| c.id).collect();
            for id in &ids {
                assert!(
                    id.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                    "{id}"
                );
                assert_eq!(ids.iter().filter(|other| *other == id).count(), 1, "{id}");
            }
        }
    }
}
