import { defineCertificateType } from "../define";
import { dateTime, gender, idNumber, nationality, object, personName, text } from "../fragments";

const parent = object({ name: personName, id_number: idNumber, nationality });

/** 出生医学证明, issued by the medical institution where the child was born. */
export const birthMedicalCertificate = defineCertificateType({
  id: "birth-medical-certificate",
  vct: "urn:certchain:vct:birth-medical-certificate:1",
  typeCode: "CSYX",
  names: { "zh-CN": "出生医学证明", en: "Birth medical certificate" },
  claims: {
    newborn_name: { "zh-CN": "新生儿姓名", en: "Newborn's name" },
    gender: { "zh-CN": "性别", en: "Gender" },
    date_time_of_birth: { "zh-CN": "出生时间", en: "Date and time of birth" },
    place_of_birth: { "zh-CN": "出生地点", en: "Place of birth" },
    gestational_age_weeks: { "zh-CN": "出生孕周（周）", en: "Gestational age (weeks)" },
    birth_weight_grams: { "zh-CN": "出生体重（克）", en: "Birth weight (g)" },
    birth_length_cm: { "zh-CN": "出生身长（厘米）", en: "Birth length (cm)" },
    mother: { "zh-CN": "母亲", en: "Mother" },
    father: { "zh-CN": "父亲", en: "Father" },
    medical_institution: { "zh-CN": "接生机构", en: "Medical institution" },
  },
  schema: {
    type: "object",
    properties: {
      newborn_name: personName,
      gender,
      date_time_of_birth: dateTime,
      place_of_birth: text(128),
      gestational_age_weeks: { type: "integer", minimum: 20, maximum: 45 },
      birth_weight_grams: { type: "integer", minimum: 200, maximum: 8000 },
      birth_length_cm: { type: "number", minimum: 20, maximum: 70 },
      mother: parent,
      // Optional: the father is left blank on the paper certificate when not declared.
      father: parent,
      medical_institution: text(128),
    },
    required: ["newborn_name", "gender", "date_time_of_birth", "place_of_birth", "birth_weight_grams", "mother", "medical_institution"],
    additionalProperties: false,
    examples: [
      {
        newborn_name: "赵一诺",
        gender: "女",
        date_time_of_birth: "2024-03-08T09:42:00+08:00",
        place_of_birth: "四川省成都市武侯区",
        gestational_age_weeks: 39,
        birth_weight_grams: 3350,
        birth_length_cm: 50,
        mother: { name: "孙雅婷", id_number: "510107199207142462", nationality: "中国" },
        father: { name: "赵明哲", id_number: "510107199003051534", nationality: "中国" },
        medical_institution: "成都市武侯区妇幼保健院",
      },
    ],
  },
});
