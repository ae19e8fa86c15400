// Search attributes that let the Web UI and `temporal workflow list` filter campaigns.
import { defineSearchAttributeKey } from '@temporalio/common';

export const SsjYear = defineSearchAttributeKey('SsjYear', 'INT');
export const SsjQuarter = defineSearchAttributeKey('SsjQuarter', 'INT');
export const SsjDepartment = defineSearchAttributeKey('SsjDepartment', 'KEYWORD_LIST');
export const SsjPhase = defineSearchAttributeKey('SsjPhase', 'KEYWORD');

/** Names and server-side types, for registering them on a server (`--search-attribute Name=Type`). */
export const SEARCH_ATTRIBUTE_TYPES = {
  SsjYear: 'Int',
  SsjQuarter: 'Int',
  SsjDepartment: 'KeywordList',
  SsjPhase: 'Keyword',
} as const;
