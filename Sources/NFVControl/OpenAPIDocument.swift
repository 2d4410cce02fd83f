/// The control API's OpenAPI 3 document, served at `/openapi.json`: every
/// path, its parameters, bodies and replies. The tests check the server
/// against it (schemathesis, `scripts/api-fuzz.sh`).
enum OpenAPIDocument {
    static let json = #"""
{
 "openapi": "3.0.3",
 "info": {
  "title": "SwiftNFV control API",
  "version": "1.0.0",
  "description": "The NF manager's control API: on the Unix socket /var/run/swiftnfv/NAME/api.sock (root only), and with --api-listen on loopback TCP with a bearer token. Every error is a JSON Error with a 4xx or 5xx status; a refused change changes nothing."
 },
 "servers": [
  {
   "url": "/"
  }
 ],
 "components": {
  "schemas": {
   "Error": {
    "type": "object",
    "properties": {
     "status": {
      "type": "integer"
     },
     "message": {
      "type": "string"
     }
    },
    "required": [
     "status",
     "message"
    ],
    "additionalProperties": false
   },
   "Status": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string"
     },
     "pid": {
      "type": "integer"
     },
     "state": {
      "type": "string"
     },
     "uptimeSeconds": {
      "type": "number"
     },
     "ports": {
      "type": "integer"
     },
     "nfs": {
      "type": "integer"
     },
     "steeringVersion": {
      "type": "integer"
     },
     "standbyReady": {
      "type": "boolean"
     }
    },
    "required": [
     "name",
     "pid",
     "state",
     "uptimeSeconds",
     "ports",
     "nfs",
     "steeringVersion"
    ],
    "additionalProperties": false
   },
   "Port": {
    "type": "object",
    "properties": {
     "port": {
      "type": "integer"
     },
     "device": {
      "type": "string"
     },
     "defaultChain": {
      "type": "string"
     },
     "rx": {
      "type": "integer"
     },
     "tx": {
      "type": "integer"
     },
     "dropped": {
      "type": "integer"
     },
     "rxMpps": {
      "type": "number"
     },
     "txMpps": {
      "type": "number"
     },
     "rxBytes": {
      "type": "integer"
     },
     "txBytes": {
      "type": "integer"
     }
    },
    "required": [
     "port",
     "device",
     "rx",
     "tx",
     "dropped",
     "rxMpps",
     "txMpps",
     "rxBytes",
     "txBytes"
    ],
    "additionalProperties": false
   },
   "Launch": {
    "type": "object",
    "properties": {
     "kind": {
      "type": "string",
      "enum": [
       "forward",
       "bridge",
       "monitor",
       "speed-tester",
       "firewall",
       "router",
       "arp-responder",
       "steer",
       "detector",
       "program"
      ]
     },
     "program": {
      "type": "string",
      "description": "With kind program: the executable's absolute path"
     },
     "service": {
      "type": "integer",
      "minimum": 1,
      "maximum": 63
     },
     "args": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "cpu": {
      "type": "integer",
      "minimum": 0
     },
     "restart": {
      "type": "string",
      "enum": [
       "always",
       "on-failure",
       "never"
      ]
     },
     "instance": {
      "type": "integer",
      "minimum": 1,
      "maximum": 64
     },
     "cpuWeight": {
      "type": "integer",
      "minimum": 1,
      "maximum": 10000
     },
     "cpuCap": {
      "type": "integer",
      "minimum": 1,
      "maximum": 102400
     },
     "group": {
      "type": "string",
      "readOnly": true,
      "description": "The supervised NF group it runs in (set by POST /v1/groups)"
     }
    },
    "required": [
     "kind",
     "service"
    ],
    "additionalProperties": false
   },
   "GroupInfo": {
    "type": "object",
    "description": "A supervised NF group",
    "properties": {
     "name": {
      "type": "string"
     },
     "members": {
      "type": "array",
      "items": {
       "type": "integer"
      }
     },
     "pid": {
      "type": "integer"
     },
     "state": {
      "type": "string",
      "enum": [
       "starting",
       "running",
       "stopping",
       "restarting",
       "stopped",
       "failed"
      ]
     },
     "restarts": {
      "type": "integer"
     },
     "cpu": {
      "type": "integer"
     },
     "cpuWeight": {
      "type": "integer"
     },
     "cpuCap": {
      "type": "integer"
     },
     "restart": {
      "type": "string",
      "enum": [
       "always",
       "on-failure",
       "never"
      ]
     },
     "cpuPercent": {
      "type": "number"
     },
     "logFile": {
      "type": "string"
     }
    },
    "required": [
     "name",
     "members",
     "pid",
     "state",
     "restarts",
     "restart",
     "logFile"
    ],
    "additionalProperties": false
   },
   "Group": {
    "type": "object",
    "description": "Built-in NFs started as one process on one thread, supervised as one",
    "properties": {
     "name": {
      "type": "string",
      "pattern": "^[A-Za-z0-9_-]{1,31}$"
     },
     "members": {
      "type": "array",
      "minItems": 1,
      "maxItems": 16,
      "items": {
       "$ref": "#/components/schemas/Launch"
      },
      "description": "Built-in NFs (kind, service, args, optionally instance); CPU, weight, cap and restart are the group's"
     },
     "cpu": {
      "type": "integer",
      "minimum": 0
     },
     "cpuWeight": {
      "type": "integer",
      "minimum": 1,
      "maximum": 10000
     },
     "cpuCap": {
      "type": "integer",
      "minimum": 1,
      "maximum": 102400
     },
     "restart": {
      "type": "string",
      "enum": [
       "always",
       "on-failure",
       "never"
      ]
     }
    },
    "required": [
     "name",
     "members"
    ],
    "additionalProperties": false
   },
   "Exit": {
    "type": "object",
    "properties": {
     "time": {
      "type": "number"
     },
     "pid": {
      "type": "integer"
     },
     "how": {
      "type": "string"
     },
     "restarted": {
      "type": "boolean"
     }
    },
    "required": [
     "time",
     "pid",
     "how",
     "restarted"
    ],
    "additionalProperties": false
   },
   "NF": {
    "type": "object",
    "properties": {
     "instance": {
      "type": "integer"
     },
     "service": {
      "type": "integer"
     },
     "name": {
      "type": "string"
     },
     "pid": {
      "type": "integer"
     },
     "state": {
      "type": "string"
     },
     "supervised": {
      "type": "boolean"
     },
     "launch": {
      "$ref": "#/components/schemas/Launch"
     },
     "restarts": {
      "type": "integer"
     },
     "history": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Exit"
      }
     },
     "rx": {
      "type": "integer"
     },
     "tx": {
      "type": "integer"
     },
     "dropped": {
      "type": "integer"
     },
     "rxRing": {
      "type": "integer"
     },
     "logFile": {
      "type": "string"
     },
     "cpuPercent": {
      "type": "number"
     },
     "cpuEntitledPercent": {
      "type": "number"
     },
     "cpuWeight": {
      "type": "integer",
      "description": "An NF the manager did not start: its CPU weight (a supervised NF's is in launch)"
     },
     "cpuCap": {
      "type": "integer",
      "description": "An NF the manager did not start: its CPU cap, percent of one CPU"
     }
    },
    "required": [
     "instance",
     "service",
     "name",
     "pid",
     "state",
     "supervised",
     "restarts",
     "history",
     "rx",
     "tx",
     "dropped",
     "rxRing"
    ],
    "additionalProperties": false
   },
   "Service": {
    "type": "object",
    "properties": {
     "service": {
      "type": "integer"
     },
     "instances": {
      "type": "array",
      "items": {
       "type": "integer"
      }
     },
     "supervised": {
      "type": "array",
      "items": {
       "type": "integer"
      }
     },
     "rx": {
      "type": "integer"
     },
     "tx": {
      "type": "integer"
     },
     "dropped": {
      "type": "object",
      "additionalProperties": {
       "type": "integer"
      }
     }
    },
    "required": [
     "service",
     "instances",
     "supervised",
     "rx",
     "tx",
     "dropped"
    ],
    "additionalProperties": false
   },
   "CPU": {
    "type": "object",
    "properties": {
     "cpuWeight": {
      "type": "integer",
      "minimum": 1,
      "maximum": 10000
     },
     "cpuCap": {
      "type": "integer",
      "minimum": 0,
      "maximum": 102400,
      "description": "0 removes the cap"
     }
    },
    "additionalProperties": false
   },
   "Scale": {
    "type": "object",
    "properties": {
     "instances": {
      "type": "integer",
      "minimum": 0,
      "maximum": 16
     }
    },
    "required": [
     "instances"
    ],
    "additionalProperties": false
   },
   "ScaleResult": {
    "type": "object",
    "properties": {
     "service": {
      "type": "integer"
     },
     "instances": {
      "type": "integer"
     },
     "launched": {
      "type": "array",
      "items": {
       "type": "integer"
      }
     },
     "stopping": {
      "type": "array",
      "items": {
       "type": "integer"
      }
     }
    },
    "required": [
     "service",
     "instances",
     "launched",
     "stopping"
    ],
    "additionalProperties": false
   },
   "Chain": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string"
     },
     "index": {
      "type": "integer"
     },
     "steps": {
      "type": "array",
      "items": {
       "type": "integer"
      }
     },
     "exit": {
      "type": "string"
     }
    },
    "required": [
     "name",
     "index",
     "steps",
     "exit"
    ],
    "additionalProperties": false
   },
   "ChainBody": {
    "type": "object",
    "properties": {
     "steps": {
      "type": "array",
      "items": {
       "type": "integer",
       "minimum": 1,
       "maximum": 63
      }
     },
     "exit": {
      "description": "input, other or a port number"
     }
    },
    "required": [
     "steps"
    ],
    "additionalProperties": false
   },
   "Rule": {
    "type": "object",
    "properties": {
     "id": {
      "type": "integer",
      "minimum": 1,
      "maximum": 4294967295
     },
     "priority": {
      "type": "integer",
      "minimum": -2147483648,
      "maximum": 2147483647
     },
     "in_port": {
      "type": "integer",
      "minimum": 0,
      "maximum": 15
     },
     "vlan": {
      "type": "integer",
      "minimum": 0,
      "maximum": 4095
     },
     "proto": {
      "description": "tcp, udp, icmp, icmpv6 or a number 0...255"
     },
     "src": {
      "type": "string"
     },
     "dst": {
      "type": "string"
     },
     "src_port": {
      "type": "string",
      "pattern": "^[0-9]{1,5}(-[0-9]{1,5})?$"
     },
     "dst_port": {
      "type": "string",
      "pattern": "^[0-9]{1,5}(-[0-9]{1,5})?$"
     },
     "to": {
      "type": "string",
      "description": "chain:NAME, service:N, port:N or drop"
     },
     "owner": {
      "type": "integer"
     }
    },
    "required": [
     "id",
     "priority",
     "to"
    ],
    "additionalProperties": false
   },
   "RuleBody": {
    "type": "object",
    "properties": {
     "id": {
      "type": "integer",
      "minimum": 1,
      "maximum": 4294967295
     },
     "priority": {
      "type": "integer",
      "minimum": -2147483648,
      "maximum": 2147483647
     },
     "in_port": {
      "type": "integer",
      "minimum": 0,
      "maximum": 15
     },
     "vlan": {
      "type": "integer",
      "minimum": 0,
      "maximum": 4095
     },
     "proto": {
      "description": "tcp, udp, icmp, icmpv6 or a number 0...255"
     },
     "src": {
      "type": "string"
     },
     "dst": {
      "type": "string"
     },
     "src_port": {
      "type": "string",
      "pattern": "^[0-9]{1,5}(-[0-9]{1,5})?$"
     },
     "dst_port": {
      "type": "string",
      "pattern": "^[0-9]{1,5}(-[0-9]{1,5})?$"
     },
     "to": {
      "type": "string",
      "description": "chain:NAME, service:N, port:N or drop"
     }
    },
    "required": [
     "to"
    ],
    "additionalProperties": false
   },
   "SteeringChange": {
    "type": "object",
    "properties": {
     "version": {
      "type": "integer"
     },
     "rule": {
      "$ref": "#/components/schemas/Rule"
     },
     "chain": {
      "$ref": "#/components/schemas/Chain"
     }
    },
    "required": [
     "version"
    ],
    "additionalProperties": false
   },
   "Event": {
    "type": "object",
    "properties": {
     "seq": {
      "type": "integer"
     },
     "time": {
      "type": "number"
     },
     "kind": {
      "type": "string",
      "enum": [
       "nf_launched",
       "nf_registered",
       "nf_stopped",
       "nf_died",
       "nf_restarted",
       "nf_failed",
       "rule_added",
       "rule_removed",
       "chain_set",
       "chain_removed",
       "alarm",
       "shutdown"
      ]
     },
     "instance": {
      "type": "integer"
     },
     "service": {
      "type": "integer"
     },
     "message": {
      "type": "string"
     }
    },
    "required": [
     "seq",
     "time",
     "kind",
     "message"
    ],
    "additionalProperties": false
   },
   "Stats": {
    "type": "object",
    "description": "The platform's statistics (the JSON nfv ctl stats --json prints)",
    "required": [
     "name",
     "uptimeSeconds",
     "ports",
     "nfs",
     "services",
     "steering"
    ],
    "properties": {
     "name": {
      "type": "string"
     },
     "uptimeSeconds": {
      "type": "number"
     },
     "ports": {
      "type": "array",
      "items": {
       "type": "object"
      }
     },
     "nfs": {
      "type": "array",
      "items": {
       "type": "object"
      }
     },
     "services": {
      "type": "array",
      "items": {
       "type": "object"
      }
     },
     "steering": {
      "type": "object"
     }
    }
   }
  },
  "securitySchemes": {
   "bearer": {
    "type": "http",
    "scheme": "bearer"
   }
  }
 },
 "security": [
  {
   "bearer": []
  }
 ],
 "paths": {
  "/v1/status": {
   "get": {
    "operationId": "getStatus",
    "summary": "The platform at a glance",
    "responses": {
     "200": {
      "description": "Status",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Status"
        }
       }
      }
     },
     "default": {
      "description": "An error: what was wrong (nothing changed)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/ports": {
   "get": {
    "operationId": "listPorts",
    "summary": "Ports with their counters",
    "responses": {
     "200": {
      "description": "Ports",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Port"
         }
        }
       }
      }
     },
     "default": {
      "description": "An error: what was wrong (nothing changed)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/groups/{name}": {
   "delete": {
    "operationId": "stopGroup",
    "summary": "Stop a supervised NF group: every member, none restarted",
    "responses": {
     "202": {
      "description": "The group, stopping",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/GroupInfo"
        }
       }
      }
     },
     "default": {
      "description": "An error: what was wrong (nothing changed)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[A-Za-z0-9_-]{1,31}$"
      },
      "description": "A group name"
     }
    ]
   }
  },
  "/v1/groups": {
   "get": {
    "operationId": "listGroups",
    "summary": "Supervised NF groups",
    "responses": {
     "200": {
      "description": "Groups",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/GroupInfo"
         }
        }
       }
      }
     },
     "default": {
      "description": "An error: what was wrong (nothing changed)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   },
   "post": {
    "operationId": "launchGroup",
    "summary": "Launch an NF group under supervision: its members in one process, on one thread",
    "responses": {
     "201": {
      "description": "Its members, starting",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/NF"
         }
        }
       }
      }
     },
     "default": {
      "description": "An error: what was wrong (nothing changed)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
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
        "$ref": "#/components/schemas/Group"
       }
      }
     }
    }
   }
  },
  "/v1/nfs": {
   "get": {
    "operationId": "listNFs",
    "summary": "NF instances, registered or supervised",
    "responses": {
     "200": {
      "description": "NFs",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/NF"
         }
        }
       }
      }
     },
     "default": {
      "description": "An error: what was wrong (nothing changed)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   },
   "post": {
    "operationId": "launchNF",
    "summary": "Launch an NF under supervision",
    "responses": {
     "201": {
      "description": "The NF, starting",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/NF"
        }
       }
      }
     },
     "default": {
      "description": "An error: what was wrong (nothing changed)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
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
        "$ref": "#/components/schemas/Launch"
       }
      }
     }
    }
   }
  },
  "/v1/nfs/{instance}": {
   "get": {
    "operationId": "getNF",
    "summary": "One NF instance",
    "responses": {
     "200": {
      "description": "The NF",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/NF"
        }
       }
      }
     },
     "default": {
      "description": "An error: what was wrong (nothing changed)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "instance",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 64
      },
      "description": "An NF instance ID"
     }
    ]
   },
   "delete": {
    "operationId": "stopNF",
    "summary": "Stop an NF instance (a supervised one is not restarted)",
    "responses": {
     "202": {
      "description": "The NF, stopping",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/NF"
        }
       }
      }
     },
     "default": {
      "description": "An error: what was wrong (nothing changed)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "instance",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 64
      },
      "description": "An NF instance ID"
     }
    ]
   },
   "patch": {
    "operationId": "setNFCPU",
    "summary": "Change a supervised NF's CPU weight and cap, now and for its restarts",
    "responses": {
     "200": {
      "description": "The NF",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/NF"
        }
       }
      }
     },
     "default": {
      "description": "An error: what was wrong (nothing changed)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "instance",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 64
      },
      "description": "An NF instance ID"
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/CPU"
       }
      }
     }
    }
   }
  },
  "/v1/nfs/{instance}/reload": {
   "post": {
    "operationId": "reloadNF",
    "summary": "Ask an NF to reload its configuration",
    "responses": {
     "202": {
      "description": "The NF",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/NF"
        }
       }
      }
     },
     "default": {
      "description": "An error: what was wrong (nothing changed)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "instance",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 64
      },
      "description": "An NF instance ID"
     }
    ]
   }
  },
  "/v1/services": {
   "get": {
    "operationId": "listServices",
    "summary": "Services, their instances and sums",
    "responses": {
     "200": {
      "description": "Services",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Service"
         }
        }
       }
      }
     },
     "default": {
      "description": "An error: what was wrong (nothing changed)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/services/{service}/scale": {
   "post": {
    "operationId": "scaleService",
    "summary": "Start or stop supervised instances until the service has N",
    "responses": {
     "202": {
      "description": "What was started and stopped",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ScaleResult"
        }
       }
      }
     },
     "default": {
      "description": "An error: what was wrong (nothing changed)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "service",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 63
      },
      "description": "A service ID"
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/Scale"
       }
      }
     }
    }
   }
  },
  "/v1/chains": {
   "get": {
    "operationId": "listChains",
    "summary": "Chains",
    "responses": {
     "200": {
      "description": "Chains",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Chain"
         }
        }
       }
      }
     },
     "default": {
      "description": "An error: what was wrong (nothing changed)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/chains/{name}": {
   "put": {
    "operationId": "setChain",
    "summary": "Add or replace a chain",
    "responses": {
     "200": {
      "description": "The change",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SteeringChange"
        }
       }
      }
     },
     "default": {
      "description": "An error: what was wrong (nothing changed)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[A-Za-z0-9_-]{1,31}$"
      },
      "description": "A chain name"
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/ChainBody"
       }
      }
     }
    }
   },
   "delete": {
    "operationId": "removeChain",
    "summary": "Remove a chain no rule or port default names",
    "responses": {
     "200": {
      "description": "The change",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SteeringChange"
        }
       }
      }
     },
     "default": {
      "description": "An error: what was wrong (nothing changed)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "name",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[A-Za-z0-9_-]{1,31}$"
      },
      "description": "A chain name"
     }
    ]
   }
  },
  "/v1/rules": {
   "get": {
    "operationId": "listRules",
    "summary": "Flow rules in table order",
    "responses": {
     "200": {
      "description": "Rules",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Rule"
         }
        }
       }
      }
     },
     "default": {
      "description": "An error: what was wrong (nothing changed)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   },
   "post": {
    "operationId": "addRule",
    "summary": "Add a flow rule",
    "responses": {
     "201": {
      "description": "The change",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SteeringChange"
        }
       }
      }
     },
     "default": {
      "description": "An error: what was wrong (nothing changed)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
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
        "$ref": "#/components/schemas/RuleBody"
       }
      }
     }
    }
   }
  },
  "/v1/rules/{id}": {
   "put": {
    "operationId": "replaceRule",
    "summary": "Replace a flow rule",
    "responses": {
     "200": {
      "description": "The change",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SteeringChange"
        }
       }
      }
     },
     "default": {
      "description": "An error: what was wrong (nothing changed)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 4294967295
      },
      "description": "A rule ID"
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/RuleBody"
       }
      }
     }
    }
   },
   "delete": {
    "operationId": "removeRule",
    "summary": "Remove a flow rule",
    "responses": {
     "200": {
      "description": "The change",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SteeringChange"
        }
       }
      }
     },
     "default": {
      "description": "An error: what was wrong (nothing changed)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 4294967295
      },
      "description": "A rule ID"
     }
    ]
   }
  },
  "/v1/stats": {
   "get": {
    "operationId": "getStats",
    "summary": "Statistics, refreshed once a second",
    "responses": {
     "200": {
      "description": "Statistics",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Stats"
        }
       }
      }
     },
     "default": {
      "description": "An error: what was wrong (nothing changed)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/events": {
   "get": {
    "operationId": "listEvents",
    "summary": "The latest events (up to 1024)",
    "responses": {
     "200": {
      "description": "Events",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Event"
         }
        }
       }
      }
     },
     "default": {
      "description": "An error: what was wrong (nothing changed)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "since",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 0
      },
      "description": "Only events after this number"
     }
    ]
   }
  },
  "/v1/events/stream": {
   "get": {
    "operationId": "streamEvents",
    "summary": "Events as Server-Sent Events, the kept ones after since first",
    "responses": {
     "200": {
      "description": "An endless event stream",
      "content": {
       "text/event-stream": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "default": {
      "description": "An error: what was wrong (nothing changed)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "since",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 0
      },
      "description": "Only events after this number"
     }
    ]
   }
  },
  "/v1/shutdown": {
   "post": {
    "operationId": "shutdown",
    "summary": "Stop every NF, then the manager",
    "responses": {
     "202": {
      "description": "Stopping",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Status"
        }
       }
      }
     },
     "default": {
      "description": "An error: what was wrong (nothing changed)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/metrics": {
   "get": {
    "operationId": "metrics",
    "summary": "Prometheus metrics",
    "responses": {
     "200": {
      "description": "Metrics in Prometheus's text format",
      "content": {
       "text/plain": {
        "schema": {
         "type": "string"
        }
       }
      }
     },
     "default": {
      "description": "An error: what was wrong (nothing changed)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  }
 }
}
"""#
}
