/* northpic slide layout (placeholder) */
