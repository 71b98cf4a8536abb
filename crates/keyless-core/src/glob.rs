//! PLACEHOLDER (skeleton): the one glob matcher shared by AWS/Alibaba
//! `StringLike` and Azure flexible `matches`.
