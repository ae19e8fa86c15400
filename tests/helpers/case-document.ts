// One realistic case document (a 监察通知's inputs) for the document tests: text and PDF.
import type { CaseDocumentInput } from '../../domain/documents';

export const sampleCaseDocument: CaseDocumentInput = {
  number: '信环执监〔2023〕第007号',
  issuer: { name: '信阳市生态环境综合行政执法支队', office: '执法一科', contact: '王科长', phone: '0376-0000000' },
  recipient: { name: '罗山县生态环境综合行政执法大队' },
  unit: { id: '91411521MA44XXXX1Y', name: '罗山县某某建材有限公司', address: '罗山县龙山街道工业园区8号' },
  campaign: '2023年第一季度污染源日常监管“双随机、一公开”抽查',
  checkedOn: '2023-02-14',
  inspectors: [
    { name: '张三', certificateNo: '豫环执41150001' },
    { name: '李四', certificateNo: '豫环执41150002' },
  ],
  findings: '破碎工段未密闭，除尘设施未运行，厂区物料露天堆放。',
  legalBasis: ['《中华人民共和国大气污染防治法》第四十八条'],
  requestedAction: '依法调查处理',
  replyBy: '2023-03-15',
  approval: { by: '赵副支队长', on: '2023-02-16' },
  evidence: ['现场检查笔录 XY-2023-0214-01', '照片 6 张'],
  issuedOn: '2023-02-17',
};
