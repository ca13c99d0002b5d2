/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    /** Set by the study page so the components an MDX body uses can read the study's data. */
    study?: import('./site/study-page.ts').StudyPageData;
  }
}
