/// chat-service's OpenAPI 3.1 document, served at `GET /openapi.json`. Every
/// route the router has must be in it (the service refuses to start otherwise),
/// and real responses are checked against it by the tests and by schemathesis.
enum ChatServiceOpenAPI {
    static let document = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "MicroChat chat-service",
    "version": "1.0.0",
    "description": "Rooms, participants, messages, read state and the WebSocket gateway. Errors are application/problem+json (RFC 9457) with a stable `code`. The WebSocket's messages are described as JSON Schema in components.schemas.ClientCommand and ServerEvent."
  },
  "security": [
    {
      "bearer": []
    }
  ],
  "paths": {
    "/healthz": {
      "get": {
        "summary": "Alive",
        "responses": {
          "200": {
            "description": "The process answers",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        },
        "security": [],
        "tags": [
          "operations"
        ]
      }
    },
    "/readyz": {
      "get": {
        "summary": "Ready: its dependencies answer",
        "responses": {
          "200": {
            "description": "Ready",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "503": {
            "description": "A dependency does not answer",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        },
        "security": [],
        "tags": [
          "operations"
        ]
      }
    },
    "/metrics": {
      "get": {
        "summary": "Prometheus metrics",
        "responses": {
          "200": {
            "description": "Text exposition format",
            "content": {
              "text/plain": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        },
        "security": [],
        "tags": [
          "operations"
        ]
      }
    },
    "/openapi.json": {
      "get": {
        "summary": "This document",
        "responses": {
          "200": {
            "description": "OpenAPI 3.1",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        },
        "security": [],
        "tags": [
          "operations"
        ]
      }
    },
    "/api/rooms": {
      "get": {
        "summary": "Own rooms, newest activity first",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "rooms": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Room"
                      }
                    }
                  },
                  "required": [
                    "rooms"
                  ],
                  "additionalProperties": false
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        },
        "tags": [
          "rooms"
        ]
      },
      "post": {
        "summary": "Make a group, or find or make the direct room of a pair — people who do not have the caller as a contact are invited (invitedUserIds); 429 too_many_rooms past ROOM_CREATIONS_PER_HOUR",
        "responses": {
          "201": {
            "description": "Made",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Room"
                }
              }
            }
          },
          "200": {
            "description": "The existing direct room",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Room"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        },
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "name": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "description": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "roomType": {
                    "enum": [
                      "direct",
                      "group"
                    ]
                  },
                  "participantIds": {
                    "type": "array",
                    "items": {
                      "type": "string",
                      "format": "uuid"
                    }
                  }
                },
                "required": [
                  "roomType",
                  "participantIds"
                ],
                "additionalProperties": false
              }
            }
          }
        },
        "tags": [
          "rooms"
        ]
      }
    },
    "/api/rooms/{roomId}": {
      "get": {
        "summary": "A room with its participants and last message",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Room"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        },
        "parameters": [
          {
            "name": "roomId",
            "in": "path",
            "required": true,
            "description": "room id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        ],
        "tags": [
          "rooms"
        ]
      },
      "patch": {
        "summary": "Rename or describe a group (owners and admins)",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Room"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        },
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "name": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "description": {
                    "type": [
                      "string",
                      "null"
                    ]
                  }
                },
                "required": [],
                "additionalProperties": false
              }
            }
          }
        },
        "parameters": [
          {
            "name": "roomId",
            "in": "path",
            "required": true,
            "description": "room id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        ],
        "tags": [
          "rooms"
        ]
      },
      "delete": {
        "summary": "Delete a room (a group's owner; either person of a direct room)",
        "responses": {
          "204": {
            "description": "Done"
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        },
        "parameters": [
          {
            "name": "roomId",
            "in": "path",
            "required": true,
            "description": "room id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        ],
        "tags": [
          "rooms"
        ]
      }
    },
    "/api/rooms/{roomId}/participants": {
      "post": {
        "summary": "Add people (owners and admins of a group) — people who do not have the caller as a contact are invited instead (202)",
        "responses": {
          "201": {
            "description": "Added",
            "content": {
              "application/json": {
                "schema": {
                  "oneOf": [
                    {
                      "$ref": "#/components/schemas/Participant"
                    },
                    {
                      "type": "object",
                      "properties": {
                        "participants": {
                          "type": "array",
                          "items": {
                            "$ref": "#/components/schemas/Participant"
                          }
                        },
                        "invitations": {
                          "type": "array",
                          "items": {
                            "$ref": "#/components/schemas/Invitation"
                          }
                        }
                      },
                      "required": [
                        "participants",
                        "invitations"
                      ],
                      "additionalProperties": false
                    }
                  ]
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          },
          "202": {
            "description": "Invited (the person, or everyone listed, decides)",
            "content": {
              "application/json": {
                "schema": {
                  "oneOf": [
                    {
                      "type": "object",
                      "properties": {
                        "invitation": {
                          "$ref": "#/components/schemas/Invitation"
                        }
                      },
                      "required": [
                        "invitation"
                      ],
                      "additionalProperties": false
                    },
                    {
                      "type": "object",
                      "properties": {
                        "participants": {
                          "type": "array",
                          "items": {
                            "$ref": "#/components/schemas/Participant"
                          }
                        },
                        "invitations": {
                          "type": "array",
                          "items": {
                            "$ref": "#/components/schemas/Invitation"
                          }
                        }
                      },
                      "required": [
                        "participants",
                        "invitations"
                      ],
                      "additionalProperties": false
                    }
                  ]
                }
              }
            }
          }
        },
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "userId": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "format": "uuid"
                  },
                  "userIds": {
                    "type": [
                      "array",
                      "null"
                    ],
                    "items": {
                      "type": "string",
                      "format": "uuid"
                    }
                  },
                  "participantIds": {
                    "type": [
                      "array",
                      "null"
                    ],
                    "items": {
                      "type": "string",
                      "format": "uuid"
                    }
                  },
                  "role": {
                    "anyOf": [
                      {
                        "enum": [
                          "owner",
                          "admin",
                          "member"
                        ]
                      },
                      {
                        "type": "null"
                      }
                    ]
                  }
                },
                "required": [],
                "additionalProperties": false
              }
            }
          }
        },
        "parameters": [
          {
            "name": "roomId",
            "in": "path",
            "required": true,
            "description": "room id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        ],
        "tags": [
          "rooms"
        ]
      }
    },
    "/api/rooms/{roomId}/participants/{userId}": {
      "patch": {
        "summary": "Change a role (owners)",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Participant"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        },
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "role": {
                    "enum": [
                      "owner",
                      "admin",
                      "member"
                    ]
                  }
                },
                "required": [
                  "role"
                ],
                "additionalProperties": false
              }
            }
          }
        },
        "parameters": [
          {
            "name": "roomId",
            "in": "path",
            "required": true,
            "description": "room id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "name": "userId",
            "in": "path",
            "required": true,
            "description": "the participant",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        ],
        "tags": [
          "rooms"
        ]
      },
      "delete": {
        "summary": "Remove someone (owners and admins), or oneself",
        "responses": {
          "204": {
            "description": "Done"
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        },
        "parameters": [
          {
            "name": "roomId",
            "in": "path",
            "required": true,
            "description": "room id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "name": "userId",
            "in": "path",
            "required": true,
            "description": "the participant",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        ],
        "tags": [
          "rooms"
        ]
      }
    },
    "/api/rooms/{roomId}/leave": {
      "post": {
        "summary": "Leave a room",
        "responses": {
          "204": {
            "description": "Done"
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        },
        "parameters": [
          {
            "name": "roomId",
            "in": "path",
            "required": true,
            "description": "room id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        ],
        "tags": [
          "rooms"
        ]
      }
    },
    "/api/rooms/{roomId}/messages": {
      "post": {
        "summary": "Send a message (idempotent by clientMessageId); file and image messages carry attachmentIds",
        "responses": {
          "201": {
            "description": "Stored",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Message"
                }
              }
            }
          },
          "200": {
            "description": "Already stored (a retry)",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Message"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        },
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "content": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "description": "required for text and emoji; an optional caption for file and image"
                  },
                  "messageType": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "enum": [
                      "text",
                      "emoji",
                      "file",
                      "image",
                      null
                    ]
                  },
                  "clientMessageId": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "attachmentIds": {
                    "type": [
                      "array",
                      "null"
                    ],
                    "items": {
                      "type": "string",
                      "format": "uuid"
                    },
                    "maxItems": 10,
                    "uniqueItems": true,
                    "description": "the uploads a file or image message carries (1 to 10, the sender's own, from this room, not yet in a message)"
                  },
                  "replyToId": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "format": "uuid",
                    "description": "answer this message (same room, not deleted)"
                  }
                },
                "additionalProperties": false
              }
            }
          }
        },
        "parameters": [
          {
            "name": "roomId",
            "in": "path",
            "required": true,
            "description": "room id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        ],
        "tags": [
          "messages"
        ]
      },
      "get": {
        "summary": "A page of history",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "messages": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Message"
                      }
                    },
                    "hasMore": {
                      "type": "boolean"
                    }
                  },
                  "required": [
                    "messages",
                    "hasMore"
                  ],
                  "additionalProperties": false
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        },
        "parameters": [
          {
            "name": "roomId",
            "in": "path",
            "required": true,
            "description": "room id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "name": "before",
            "in": "query",
            "required": false,
            "description": "messages before this one",
            "schema": {
              "type": "string",
              "description": "a message seq (whole number ≥ 0) or a message id"
            }
          },
          {
            "name": "after",
            "in": "query",
            "required": false,
            "description": "messages after this one",
            "schema": {
              "type": "string",
              "description": "a message seq (whole number ≥ 0) or a message id"
            }
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "1 to 200, default 50",
            "schema": {
              "type": "integer"
            }
          }
        ],
        "tags": [
          "messages"
        ]
      }
    },
    "/api/rooms/{roomId}/messages/{messageId}": {
      "patch": {
        "summary": "Edit own message",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Message"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        },
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "content": {
                    "type": "string"
                  }
                },
                "required": [
                  "content"
                ],
                "additionalProperties": false
              }
            }
          }
        },
        "parameters": [
          {
            "name": "roomId",
            "in": "path",
            "required": true,
            "description": "room id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "name": "messageId",
            "in": "path",
            "required": true,
            "description": "message id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        ],
        "tags": [
          "messages"
        ]
      },
      "delete": {
        "summary": "Delete own message (it keeps its place, without content)",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Message"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        },
        "parameters": [
          {
            "name": "roomId",
            "in": "path",
            "required": true,
            "description": "room id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "name": "messageId",
            "in": "path",
            "required": true,
            "description": "message id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        ],
        "tags": [
          "messages"
        ]
      }
    },
    "/api/rooms/{roomId}/read": {
      "post": {
        "summary": "Mark read up to a message",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "receipt": {
                      "$ref": "#/components/schemas/ReadReceipt"
                    },
                    "unreadCount": {
                      "type": "integer"
                    }
                  },
                  "required": [
                    "receipt",
                    "unreadCount"
                  ],
                  "additionalProperties": false
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        },
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "messageId": {
                    "type": "string",
                    "format": "uuid"
                  }
                },
                "required": [
                  "messageId"
                ],
                "additionalProperties": false
              }
            }
          }
        },
        "parameters": [
          {
            "name": "roomId",
            "in": "path",
            "required": true,
            "description": "room id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        ],
        "tags": [
          "messages"
        ]
      }
    },
    "/api/ws": {
      "get": {
        "summary": "The WebSocket. Authenticate with ?ticket= (from POST /api/ws/tickets; what browsers use, no token in the URL), the Authorization header, or ?access_token= (kept for non-browser clients; avoid: URLs end up in logs). Messages: components.schemas.ClientCommand and ServerEvent.",
        "tags": [
          "realtime"
        ],
        "parameters": [
          {
            "name": "ticket",
            "in": "query",
            "required": false,
            "description": "a one-time ticket from POST /api/ws/tickets (30 s)",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "access_token",
            "in": "query",
            "required": false,
            "description": "the access token (discouraged: use a ticket)",
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "101": {
            "description": "Switching Protocols: ServerEvent frames follow"
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/internal/rooms/shared": {
      "post": {
        "summary": "Which of these people share a live room with the caller (user-service, for presence)",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "userIds": {
                      "type": "array",
                      "items": {
                        "type": "string",
                        "format": "uuid"
                      }
                    }
                  },
                  "required": [
                    "userIds"
                  ],
                  "additionalProperties": false
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        },
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "userIds": {
                    "type": "array",
                    "items": {
                      "type": "string",
                      "format": "uuid"
                    },
                    "maxItems": 500
                  }
                },
                "required": [
                  "userIds"
                ],
                "additionalProperties": false
              }
            }
          }
        },
        "tags": [
          "internal"
        ]
      }
    },
    "/api/rooms/{roomId}/attachments": {
      "post": {
        "summary": "Upload a file to the room (members only), streamed; its type comes from its first bytes",
        "tags": [
          "attachments"
        ],
        "parameters": [
          {
            "name": "roomId",
            "in": "path",
            "required": true,
            "description": "room id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "name": "filename",
            "in": "query",
            "required": false,
            "description": "the file's name: no folders, no control characters, at most 255 bytes (default \"file\")",
            "schema": {
              "type": "string",
              "maxLength": 255
            }
          }
        ],
        "requestBody": {
          "required": true,
          "description": "the file's bytes as the body (any Content-Type; it is not believed)",
          "content": {
            "application/octet-stream": {
              "schema": {
                "type": "string",
                "contentMediaType": "application/octet-stream"
              }
            },
            "*/*": {
              "schema": {
                "type": "string"
              }
            }
          }
        },
        "responses": {
          "201": {
            "description": "Stored; send it with a file or image message within a day",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Attachment"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/api/rooms/{roomId}/attachments/{attachmentId}": {
      "get": {
        "summary": "Download an attachment (members only): Range, ETag, inline only for PNG/JPEG/GIF/WebP, a sandbox CSP always",
        "tags": [
          "attachments"
        ],
        "parameters": [
          {
            "name": "roomId",
            "in": "path",
            "required": true,
            "description": "room id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "name": "attachmentId",
            "in": "path",
            "required": true,
            "description": "attachment id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "name": "Range",
            "in": "header",
            "required": false,
            "description": "one range: bytes=a-b, bytes=a- or bytes=-n",
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The whole file",
            "content": {
              "*/*": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "206": {
            "description": "The asked range",
            "content": {
              "*/*": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "304": {
            "description": "Not modified (If-None-Match)"
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/api/rooms/{roomId}/messages/{messageId}/reactions": {
      "post": {
        "summary": "React with an emoji (201 new, 200 already there)",
        "tags": [
          "reactions"
        ],
        "parameters": [
          {
            "name": "roomId",
            "in": "path",
            "required": true,
            "description": "room id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "name": "messageId",
            "in": "path",
            "required": true,
            "description": "message id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ReactionChange"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          },
          "201": {
            "description": "Added",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ReactionChange"
                }
              }
            }
          }
        },
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "emoji": {
                    "type": "string"
                  }
                },
                "required": [
                  "emoji"
                ],
                "additionalProperties": false
              }
            }
          }
        }
      }
    },
    "/api/rooms/{roomId}/messages/{messageId}/reactions/{emoji}": {
      "put": {
        "summary": "React with the path's emoji (201 new, 200 already there)",
        "tags": [
          "reactions"
        ],
        "parameters": [
          {
            "name": "roomId",
            "in": "path",
            "required": true,
            "description": "room id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "name": "messageId",
            "in": "path",
            "required": true,
            "description": "message id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "name": "emoji",
            "in": "path",
            "required": true,
            "description": "one emoji, percent-encoded",
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ReactionChange"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          },
          "201": {
            "description": "Added",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ReactionChange"
                }
              }
            }
          }
        }
      },
      "delete": {
        "summary": "Take one's reaction back (404 if there was none)",
        "tags": [
          "reactions"
        ],
        "parameters": [
          {
            "name": "roomId",
            "in": "path",
            "required": true,
            "description": "room id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "name": "messageId",
            "in": "path",
            "required": true,
            "description": "message id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "name": "emoji",
            "in": "path",
            "required": true,
            "description": "one emoji, percent-encoded",
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ReactionChange"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/api/rooms/{roomId}/mute": {
      "put": {
        "summary": "Mute the room for oneself",
        "tags": [
          "rooms"
        ],
        "parameters": [
          {
            "name": "roomId",
            "in": "path",
            "required": true,
            "description": "room id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "roomId": {
                      "type": "string",
                      "format": "uuid"
                    },
                    "muted": {
                      "type": "boolean"
                    }
                  },
                  "required": [
                    "roomId",
                    "muted"
                  ],
                  "additionalProperties": false
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        }
      },
      "delete": {
        "summary": "Unmute the room",
        "tags": [
          "rooms"
        ],
        "parameters": [
          {
            "name": "roomId",
            "in": "path",
            "required": true,
            "description": "room id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "roomId": {
                      "type": "string",
                      "format": "uuid"
                    },
                    "muted": {
                      "type": "boolean"
                    }
                  },
                  "required": [
                    "roomId",
                    "muted"
                  ],
                  "additionalProperties": false
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/api/search": {
      "get": {
        "summary": "Full-text search over the messages of one's rooms",
        "tags": [
          "search"
        ],
        "parameters": [
          {
            "name": "q",
            "in": "query",
            "required": true,
            "description": "words, \"phrases\", or, -not (1 to 200 characters)",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "roomId",
            "in": "query",
            "required": false,
            "description": "only this room",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "name": "before",
            "in": "query",
            "required": false,
            "description": "only messages sent before this time (ISO 8601) or message id",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "1 to 50 (20)",
            "schema": {
              "type": "integer"
            }
          },
          {
            "name": "cursor",
            "in": "query",
            "required": false,
            "description": "nextCursor of the previous page",
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "results": {
                      "type": "array",
                      "items": {
                        "type": "object",
                        "properties": {
                          "message": {
                            "$ref": "#/components/schemas/Message"
                          },
                          "snippet": {
                            "type": "string"
                          },
                          "highlights": {
                            "type": "array",
                            "items": {
                              "type": "array",
                              "items": {
                                "type": "integer"
                              },
                              "minItems": 2,
                              "maxItems": 2
                            },
                            "description": "[start, end) of each match in snippet, UTF-16 code units"
                          },
                          "rank": {
                            "type": "number"
                          }
                        },
                        "required": [
                          "message",
                          "snippet",
                          "highlights",
                          "rank"
                        ],
                        "additionalProperties": false
                      }
                    },
                    "nextCursor": {
                      "type": [
                        "string",
                        "null"
                      ]
                    }
                  },
                  "required": [
                    "results",
                    "nextCursor"
                  ],
                  "additionalProperties": false
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/api/mentions": {
      "get": {
        "summary": "Messages that mention the caller, newest first",
        "tags": [
          "search"
        ],
        "parameters": [
          {
            "name": "before",
            "in": "query",
            "required": false,
            "description": "nextBefore of the previous page",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "1 to 50 (20)",
            "schema": {
              "type": "integer"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "messages": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Message"
                      }
                    },
                    "hasMore": {
                      "type": "boolean"
                    },
                    "nextBefore": {
                      "type": [
                        "string",
                        "null"
                      ],
                      "format": "uuid"
                    }
                  },
                  "required": [
                    "messages",
                    "hasMore",
                    "nextBefore"
                  ],
                  "additionalProperties": false
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/api/ws/tickets": {
      "post": {
        "summary": "A one-time ticket to open the WebSocket with (GET /api/ws?ticket=…), valid 30 seconds",
        "tags": [
          "realtime"
        ],
        "responses": {
          "201": {
            "description": "The ticket",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/SocketTicket"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/api/rooms/invitations": {
      "get": {
        "summary": "The caller's pending invitations, newest first (not from people with a block between you)",
        "tags": [
          "rooms"
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "invitations": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/PendingInvitation"
                      }
                    }
                  },
                  "required": [
                    "invitations"
                  ],
                  "additionalProperties": false
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/api/rooms/invitations/{roomId}/accept": {
      "post": {
        "summary": "Accept an invitation: the caller joins the room (with the role it carried)",
        "tags": [
          "rooms"
        ],
        "parameters": [
          {
            "name": "roomId",
            "in": "path",
            "required": true,
            "description": "room id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Room"
                }
              }
            }
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    },
    "/api/rooms/invitations/{roomId}/decline": {
      "post": {
        "summary": "Decline an invitation",
        "tags": [
          "rooms"
        ],
        "parameters": [
          {
            "name": "roomId",
            "in": "path",
            "required": true,
            "description": "room id",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        ],
        "responses": {
          "204": {
            "description": "Done"
          },
          "default": {
            "$ref": "#/components/responses/Problem"
          }
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT"
      }
    },
    "responses": {
      "Problem": {
        "description": "An error: problem+json with a stable `code`",
        "content": {
          "application/problem+json": {
            "schema": {
              "$ref": "#/components/schemas/Problem"
            }
          }
        }
      }
    },
    "schemas": {
      "Problem": {
        "type": "object",
        "properties": {
          "type": {
            "type": "string"
          },
          "title": {
            "type": "string"
          },
          "status": {
            "type": "integer"
          },
          "detail": {
            "type": "string"
          },
          "code": {
            "type": "string"
          },
          "requestId": {
            "type": [
              "string",
              "null"
            ]
          },
          "errors": {
            "type": [
              "array",
              "null"
            ],
            "items": {
              "type": "object",
              "properties": {
                "field": {
                  "type": "string"
                },
                "code": {
                  "type": "string"
                },
                "detail": {
                  "type": "string"
                }
              },
              "required": [
                "field",
                "code",
                "detail"
              ],
              "additionalProperties": false
            }
          }
        },
        "required": [
          "type",
          "title",
          "status",
          "detail",
          "code"
        ],
        "additionalProperties": false
      },
      "Message": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid"
          },
          "roomId": {
            "type": "string",
            "format": "uuid"
          },
          "seq": {
            "type": "integer",
            "minimum": 1
          },
          "senderId": {
            "type": "string",
            "format": "uuid"
          },
          "content": {
            "type": [
              "string",
              "null"
            ],
            "description": "absent once deleted"
          },
          "messageType": {
            "type": "string"
          },
          "clientMessageId": {
            "type": [
              "string",
              "null"
            ]
          },
          "createdAt": {
            "type": "string",
            "format": "date-time"
          },
          "updatedAt": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "deletedAt": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "attachments": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Attachment"
            },
            "description": "the uploads of a file or image message; empty otherwise and once deleted"
          },
          "replyToId": {
            "type": [
              "string",
              "null"
            ],
            "format": "uuid",
            "description": "the message this one answers (same room)"
          },
          "replyTo": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/Quote"
              },
              {
                "type": "null"
              }
            ]
          },
          "mentions": {
            "type": "array",
            "items": {
              "type": "string",
              "format": "uuid"
            },
            "description": "room members its @usernames named (resolved at send or edit)"
          },
          "reactions": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Reaction"
            }
          },
          "system": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/SystemEvent"
              },
              {
                "type": "null"
              }
            ],
            "description": "for messageType system only"
          }
        },
        "required": [
          "id",
          "roomId",
          "seq",
          "senderId",
          "messageType",
          "createdAt"
        ],
        "additionalProperties": false
      },
      "Participant": {
        "type": "object",
        "properties": {
          "userId": {
            "type": "string",
            "format": "uuid"
          },
          "role": {
            "enum": [
              "owner",
              "admin",
              "member"
            ]
          },
          "joinedAt": {
            "type": "string",
            "format": "date-time"
          },
          "lastReadAt": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "lastReadSeq": {
            "type": "integer"
          }
        },
        "required": [
          "userId",
          "role",
          "joinedAt",
          "lastReadSeq"
        ],
        "additionalProperties": false
      },
      "Room": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid"
          },
          "name": {
            "type": [
              "string",
              "null"
            ]
          },
          "description": {
            "type": [
              "string",
              "null"
            ]
          },
          "roomType": {
            "enum": [
              "direct",
              "group"
            ]
          },
          "createdBy": {
            "type": "string",
            "format": "uuid"
          },
          "createdAt": {
            "type": "string",
            "format": "date-time"
          },
          "updatedAt": {
            "type": "string",
            "format": "date-time"
          },
          "lastSeq": {
            "type": "integer",
            "minimum": 0
          },
          "participants": {
            "type": [
              "array",
              "null"
            ],
            "items": {
              "$ref": "#/components/schemas/Participant"
            }
          },
          "lastMessage": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/Message"
              },
              {
                "type": "null"
              }
            ]
          },
          "unreadCount": {
            "type": [
              "integer",
              "null"
            ],
            "minimum": 0
          },
          "mentionCount": {
            "type": [
              "integer",
              "null"
            ],
            "minimum": 0,
            "description": "unread messages mentioning the caller (room list)"
          },
          "muted": {
            "type": [
              "boolean",
              "null"
            ],
            "description": "the caller muted this room (room list)"
          },
          "invitedUserIds": {
            "type": "array",
            "items": {
              "type": "string",
              "format": "uuid"
            },
            "description": "people invited who have not accepted yet (on create, GET one room, accept)"
          }
        },
        "required": [
          "id",
          "roomType",
          "createdBy",
          "createdAt",
          "updatedAt",
          "lastSeq"
        ],
        "additionalProperties": false
      },
      "ReadReceipt": {
        "type": "object",
        "properties": {
          "userId": {
            "type": "string",
            "format": "uuid"
          },
          "messageId": {
            "type": "string",
            "format": "uuid"
          },
          "seq": {
            "type": "integer"
          },
          "readAt": {
            "type": "string",
            "format": "date-time"
          }
        },
        "required": [
          "userId",
          "messageId",
          "seq",
          "readAt"
        ],
        "additionalProperties": false
      },
      "ClientCommand": {
        "description": "What a client sends over /api/ws (JSON text frames)",
        "oneOf": [
          {
            "type": "object",
            "properties": {
              "type": {
                "const": "ping"
              }
            },
            "required": [
              "type"
            ],
            "additionalProperties": false
          },
          {
            "type": "object",
            "properties": {
              "type": {
                "const": "typing"
              },
              "roomId": {
                "type": "string",
                "format": "uuid"
              }
            },
            "required": [
              "type",
              "roomId"
            ],
            "additionalProperties": false
          },
          {
            "type": "object",
            "properties": {
              "type": {
                "const": "read"
              },
              "roomId": {
                "type": "string",
                "format": "uuid"
              },
              "messageId": {
                "type": "string",
                "format": "uuid"
              }
            },
            "required": [
              "type",
              "roomId",
              "messageId"
            ],
            "additionalProperties": false
          },
          {
            "type": "object",
            "properties": {
              "type": {
                "const": "auth"
              },
              "accessToken": {
                "type": "string"
              }
            },
            "required": [
              "type",
              "accessToken"
            ],
            "additionalProperties": false
          },
          {
            "type": "object",
            "required": [
              "type"
            ],
            "properties": {
              "type": {
                "const": "resume"
              },
              "rooms": {
                "oneOf": [
                  {
                    "type": "object",
                    "additionalProperties": {
                      "oneOf": [
                        {
                          "type": "integer",
                          "minimum": 0
                        },
                        {
                          "type": "string",
                          "format": "uuid"
                        }
                      ]
                    }
                  },
                  {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": [
                        "roomId"
                      ],
                      "properties": {
                        "roomId": {
                          "type": "string",
                          "format": "uuid"
                        }
                      }
                    }
                  }
                ]
              },
              "roomId": {
                "type": "string",
                "format": "uuid"
              },
              "seq": {
                "type": "integer",
                "minimum": 0
              }
            }
          }
        ]
      },
      "ServerEvent": {
        "description": "What the server sends over /api/ws",
        "type": "object",
        "required": [
          "type"
        ],
        "properties": {
          "type": {
            "enum": [
              "ready",
              "message.created",
              "message.updated",
              "message.deleted",
              "read.updated",
              "typing",
              "presence",
              "room.updated",
              "participant.added",
              "participant.removed",
              "resumed",
              "resync",
              "pong",
              "error",
              "authenticated",
              "reaction.added",
              "reaction.removed",
              "user.updated",
              "invitation.created",
              "invitation.removed",
              "relations.changed"
            ]
          },
          "roomId": {
            "type": "string",
            "format": "uuid"
          },
          "seq": {
            "type": "integer"
          },
          "data": {
            "description": "message (message.*), receipt (read.updated), room (room.updated), {userId, online?, role?} (typing, presence, participant.*), {userId?, replicaId?, code?, message?, retryAfter?, expiresAt?} (ready, error, authenticated); {messageId, userId, emoji, reactions} (reaction.*); a public profile (user.updated); {invitation} (invitation.created); {userId} (relations.changed: a block with that person was made or undone)",
            "anyOf": [
              {
                "$ref": "#/components/schemas/Message"
              },
              {
                "$ref": "#/components/schemas/ReadReceipt"
              },
              {
                "$ref": "#/components/schemas/Room"
              },
              {
                "$ref": "#/components/schemas/ReactionChange"
              },
              {
                "type": "object",
                "properties": {
                  "invitation": {
                    "$ref": "#/components/schemas/PendingInvitation"
                  }
                },
                "required": [
                  "invitation"
                ],
                "additionalProperties": false
              },
              {
                "type": "object",
                "properties": {
                  "userId": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "online": {
                    "type": "boolean"
                  },
                  "role": {
                    "type": "string"
                  },
                  "replicaId": {
                    "type": "string"
                  },
                  "code": {
                    "type": "string"
                  },
                  "message": {
                    "type": "string"
                  },
                  "retryAfter": {
                    "type": "integer"
                  },
                  "expiresAt": {
                    "type": "string",
                    "format": "date-time"
                  }
                }
              }
            ]
          }
        }
      },
      "Attachment": {
        "type": "object",
        "description": "A file or image of a message; its bytes are at GET /api/rooms/{roomId}/attachments/{id}.",
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid"
          },
          "filename": {
            "type": "string",
            "minLength": 1,
            "maxLength": 255
          },
          "contentType": {
            "type": "string",
            "description": "decided from the content's first bytes"
          },
          "size": {
            "type": "integer",
            "minimum": 1
          },
          "width": {
            "type": [
              "integer",
              "null"
            ],
            "minimum": 1
          },
          "height": {
            "type": [
              "integer",
              "null"
            ],
            "minimum": 1
          }
        },
        "required": [
          "id",
          "filename",
          "contentType",
          "size",
          "width",
          "height"
        ],
        "additionalProperties": false
      },
      "Reaction": {
        "type": "object",
        "properties": {
          "emoji": {
            "type": "string",
            "description": "one emoji (a single grapheme drawn as an emoji)"
          },
          "count": {
            "type": "integer",
            "minimum": 1
          },
          "userIds": {
            "type": "array",
            "items": {
              "type": "string",
              "format": "uuid"
            }
          }
        },
        "required": [
          "emoji",
          "count",
          "userIds"
        ],
        "additionalProperties": false
      },
      "Quote": {
        "type": "object",
        "description": "what a reply shows of the message it answers",
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid"
          },
          "senderId": {
            "type": "string",
            "format": "uuid"
          },
          "messageType": {
            "type": "string"
          },
          "excerpt": {
            "type": [
              "string",
              "null"
            ],
            "description": "first line, at most 140 characters; null once deleted"
          },
          "deleted": {
            "type": "boolean"
          }
        },
        "required": [
          "id",
          "senderId",
          "messageType",
          "excerpt",
          "deleted"
        ],
        "additionalProperties": false
      },
      "ReactionChange": {
        "type": "object",
        "properties": {
          "messageId": {
            "type": "string",
            "format": "uuid"
          },
          "userId": {
            "type": "string",
            "format": "uuid"
          },
          "emoji": {
            "type": "string"
          },
          "reactions": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Reaction"
            }
          }
        },
        "required": [
          "messageId",
          "userId",
          "emoji",
          "reactions"
        ],
        "additionalProperties": false
      },
      "SystemEvent": {
        "type": "object",
        "description": "the room change a system message records; its sender made it",
        "properties": {
          "kind": {
            "enum": [
              "member_added",
              "member_removed",
              "member_left",
              "renamed"
            ]
          },
          "userId": {
            "type": "string",
            "format": "uuid",
            "description": "who was added or removed"
          },
          "name": {
            "type": "string",
            "description": "the new name (renamed)"
          }
        },
        "required": [
          "kind"
        ],
        "additionalProperties": false
      },
      "SocketTicket": {
        "type": "object",
        "properties": {
          "ticket": {
            "type": "string",
            "minLength": 16
          },
          "expiresIn": {
            "type": "integer",
            "minimum": 1
          }
        },
        "required": [
          "ticket",
          "expiresIn"
        ],
        "additionalProperties": false
      },
      "Invitation": {
        "type": "object",
        "description": "Someone was asked into a room by a person who is not their contact",
        "properties": {
          "roomId": {
            "type": "string",
            "format": "uuid"
          },
          "userId": {
            "type": "string",
            "format": "uuid"
          },
          "invitedBy": {
            "type": "string",
            "format": "uuid"
          },
          "createdAt": {
            "type": "string",
            "format": "date-time"
          }
        },
        "required": [
          "roomId",
          "userId",
          "invitedBy",
          "createdAt"
        ],
        "additionalProperties": false
      },
      "PendingInvitation": {
        "type": "object",
        "description": "An invitation as its invitee sees it",
        "properties": {
          "room": {
            "$ref": "#/components/schemas/Room"
          },
          "invitedBy": {
            "type": "object",
            "properties": {
              "id": {
                "type": "string",
                "format": "uuid"
              },
              "username": {
                "type": "string"
              },
              "displayName": {
                "type": "string"
              }
            },
            "required": [
              "id"
            ],
            "additionalProperties": false
          },
          "createdAt": {
            "type": "string",
            "format": "date-time"
          }
        },
        "required": [
          "room",
          "invitedBy",
          "createdAt"
        ],
        "additionalProperties": false
      }
    }
  }
}
"""#
}
